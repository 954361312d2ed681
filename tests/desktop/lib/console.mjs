// Steps an agent takes in the app's console, written once for every scenario.
import { until } from '../../../widget/tests/lib/widget.mjs';
import { Keys } from './webdriver.mjs';

export const ADA = { email: 'ada@switchboard.demo', password: 'ada-password', name: 'Ada' };
export const BEN = { email: 'ben@switchboard.demo', password: 'ben-password', name: 'Ben' };

/** Signs in from the sign-in screen and waits for the console. */
export async function signIn(s, hubUrl, creds) {
  await s.fill('Hub address', hubUrl);
  await s.fill('Email', creds.email);
  await s.fill('Password', creds.password);
  await s.click('button', 'Sign in', { exact: true });
  await s.find('radiogroup', 'Your status', { ms: 30_000 });
}

/** Picks a status in the status control and waits until the hub confirmed it. */
export async function setStatus(s, label) {
  await until(
    async () => {
      const [radio] = await s.all('radio', label, { exact: true });
      if (!radio) return false;
      if ((await radio.property('disabled')) === true) return false;
      await radio.click();
      return true;
    },
    `the status control offers "${label}" once connected`,
    30_000,
  );
  await until(
    async () => {
      const [radio] = await s.all('radio', label, { exact: true });
      return radio && (await radio.property('ariaChecked')) === 'true';
    },
    `the status shows "${label}" as chosen`,
    20_000,
  );
}

/** The transcript of the open chat as the agent sees it (the pane's text). */
export async function chatPane(s, visitorName) {
  return s.find('region', `Chat with ${visitorName}`, { exact: true });
}

/** Waits until the open chat's pane shows `text`. */
export async function seeInChat(s, visitorName, text, ms = 20_000) {
  await until(
    async () => {
      const pane = await chatPane(s, visitorName);
      return (await pane.all('text', text)).length > 0;
    },
    `the chat with ${visitorName} shows "${text}"`,
    ms,
  );
}

/** Sends a message from the open chat's composer with Enter. */
export async function sendMessage(s, visitorName, text) {
  const box = await s.find('label', `Message to ${visitorName}`, { exact: true });
  await box.click();
  await box.type(text);
  await box.type(Keys.Enter);
  await until(async () => (await box.property('value')) === '', 'Enter sends and empties the composer');
}

/** Accepts the offer of `visitorName`'s chat from the offers list. */
export async function acceptOffer(s, visitorName) {
  const offer = await s.find('listitem', `Chat offered: ${visitorName}`, { ms: 30_000 });
  await offer.find('button', 'Accept', { ms: 5000 }).then((b) => b.click());
  await s.find('tab', visitorName, { ms: 20_000 });
  await chatPane(s, visitorName);
}

/** Ends the open chat from its pane, confirming in the dialog. */
export async function endChat(s, visitorName) {
  const pane = await chatPane(s, visitorName);
  await (await pane.find('button', 'End chat', { exact: true })).click();
  const confirm = await s.find('dialog', `End the chat with ${visitorName}?`);
  await (await confirm.find('button', 'End chat', { exact: true })).click();
}

/** Fills the wrap-up form that follows the end of a chat. */
export async function fillWrapUp(s, visitorName, { notes, tag }) {
  await s.find('text', `Wrap up the chat with ${visitorName}`, { ms: 20_000 });
  // The department's outcomes are chips (radio inputs inside labels), or free text
  // when it has none.
  const [chips] = await s.all('radiogroup', 'Outcome', { exact: true });
  if (chips) await (await chips.find('css', 'label')).click();
  else await s.fill('Outcome', 'Resolved');
  await s.fill('Notes', notes);
  const tags = await s.find('label', 'Tags');
  await tags.type(tag);
  await tags.type(Keys.Enter);
}

/** Submits the wrap-up; the chat then leaves the agent's list. */
export async function finishWrapUp(s, visitorName) {
  await s.click('button', 'Finish wrap-up');
  await s.gone('tab', visitorName, { ms: 20_000 });
}
