// What the sign-in screen says when the hub or the app refuses, by error code.
import type { BackendError } from '../../lib/ipc/backend';

export function signInProblem(error: BackendError, hubUrl: string): string {
  switch (error.code) {
    case 'sign_in_refused':
    case 'unauthorized':
      return /disabled/i.test(error.message)
        ? 'This agent account is disabled. Ask your administrator.'
        : 'Wrong email or password.';
    case 'network':
    case 'disconnected':
      return `Can’t reach the hub at ${hostOf(hubUrl)}. Check the address and your connection.`;
    case 'timeout':
      return 'The hub took too long to answer. Please try again.';
    case 'invalid_hub_url':
      return 'Enter the hub address, starting with https:// or http://.';
    case 'unsupported_version':
      return 'This version of Switchboard is too old for your hub. Please update the app.';
    case 'rate_limited':
      return 'Too many attempts. Wait a minute, then try again.';
    default:
      return error.message;
  }
}

function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
}
