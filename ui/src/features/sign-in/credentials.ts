// What the sign-in form collects, checked before it is handed to the backend.

export interface Credentials {
  /** The hub's base URL, without a trailing slash. */
  hubUrl: string;
  email: string;
  password: string;
  /** Keep the session in the system credential store for the next start. */
  remember: boolean;
}

export interface CredentialsDraft {
  hubUrl: string;
  email: string;
  password: string;
  remember: boolean;
}

export type CredentialsCheck =
  | { ok: true; credentials: Credentials }
  | { ok: false; field: 'hubUrl' | 'email' | 'password'; message: string };

export function checkCredentials(draft: CredentialsDraft): CredentialsCheck {
  const hubUrl = parseHubUrl(draft.hubUrl);
  if (hubUrl === null) {
    return {
      ok: false,
      field: 'hubUrl',
      message: 'Enter the hub address, starting with https:// or http://.',
    };
  }
  const email = draft.email.trim();
  if (!/^[^\s@]+@[^\s@]+$/.test(email)) {
    return { ok: false, field: 'email', message: 'Enter the email address of your agent account.' };
  }
  if (draft.password.length === 0) {
    return { ok: false, field: 'password', message: 'Enter your password.' };
  }
  return {
    ok: true,
    credentials: { hubUrl, email, password: draft.password, remember: draft.remember },
  };
}

function parseHubUrl(input: string): string | null {
  let url: URL;
  try {
    url = new URL(input.trim());
  } catch {
    return null;
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    return null;
  }
  if (url.search !== '' || url.hash !== '' || url.username !== '' || url.password !== '') {
    return null;
  }
  return url.href.replace(/\/+$/, '');
}
