// A believable afternoon for the console in a plain browser (npm run dev): three chats
// under way, an offer coming in, a queue, missed chats in every state and a week of
// history. The demo script then plays the visitors: they type, answer, and new offers
// arrive now and then.
import type { AgentRef } from './bindings/AgentRef';
import type { CachedTranscript } from './bindings/CachedTranscript';
import type { ChatEvent } from './bindings/ChatEvent';
import type { ChatSummary } from './bindings/ChatSummary';
import type { ConsoleChange } from './bindings/ConsoleChange';
import type { VisitorInfo } from './bindings/VisitorInfo';
import type { FakeBackend } from './fake';
import {
  agentAuthor,
  chatSummary,
  iso,
  joinedEvent,
  messageEvent,
  missedChatOf,
  offerOf,
  openChat,
  visitorAuthor,
  visitorInfo,
} from './fake-data';
import { quietWorld, type FakeWorld } from './fake-world';

const SAM: AgentRef = { id: 7, name: 'Sam Rivera' };
const ALEX: AgentRef = { id: 9, name: 'Alex Chen' };
const MIA: AgentRef = { id: 11, name: 'Mia Schulz' };
const SALES = { id: 1, name: 'Sales' };
const SUPPORT = { id: 2, name: 'Support' };

const FIREFOX_LINUX = 'Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0';
const CHROME_WIN =
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/125.0.0.0 Safari/537.36';
const SAFARI_MAC =
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15';
const SAFARI_IPHONE =
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1';

type Line = [who: 'v' | 'a' | AgentRef, text: string, secondsAgo: number];

/** Builds events with increasing ids from a script of lines. */
class Script {
  #id: number;
  constructor(first: number) {
    this.#id = first;
  }

  next(): number {
    return this.#id++;
  }

  lines(chatId: number, visitor: string, now: number, lines: Line[]): ChatEvent[] {
    return lines.map(([who, text, ago]) => {
      const at = iso(now - ago * 1000);
      const author =
        who === 'v' ? visitorAuthor(visitor) : agentAuthor(who === 'a' ? SAM : who);
      return messageEvent(this.next(), chatId, author, text, at);
    });
  }
}

function visitor(
  name: string,
  email: string | null,
  page: string,
  ua: string,
  previous = 0,
): VisitorInfo {
  return visitorInfo(name, {
    email,
    page_url: page,
    user_agent: ua,
    site: new URL(page).host,
    previous_chats: previous,
  });
}

function buildPast(
  script: Script,
  id: number,
  who: VisitorInfo,
  department: { id: number; name: string },
  question: string,
  startedAgo: number,
  lines: Line[],
  outcome: string,
  tags: string[],
  agent: AgentRef = SAM,
  notes = '',
): CachedTranscript {
  const now = Date.now();
  const startMs = now - startedAgo * 1000;
  const duration = Math.max(...lines.map((l) => l[2]), 60);
  const at = (offset: number) => iso(startMs + offset * 1000);
  const events: ChatEvent[] = [];
  events.push(messageEvent(script.next(), id, visitorAuthor(who.name), question, at(0)));
  events.push(joinedEvent(script.next(), id, agent, at(12)));
  for (const [w, text, offset] of lines) {
    const author = w === 'v' ? visitorAuthor(who.name) : agentAuthor(w === 'a' ? agent : w);
    events.push(messageEvent(script.next(), id, author, text, at(offset)));
  }
  const end = duration + 30;
  events.push({ id: script.next(), chat_id: id, at: at(end), type: 'ended', by: 'visitor', reason: 'closed' });
  const wrap = { outcome, notes, tags };
  events.push({ id: script.next(), chat_id: id, at: at(end + 40), type: 'wrap_up', agent, wrap_up: wrap });
  const chat: ChatSummary = chatSummary(id, {
    visitor: who,
    department,
    question,
    state: 'ended',
    agent,
    created_at: at(0),
    accepted_at: at(12),
    ended_at: at(end),
    wrap_up: { state: 'done', wrap_up: wrap, at: at(end + 40) },
  });
  return { chat, events };
}

/** The demo's starting point, relative to `now`. */
export function demoWorld(now: number): FakeWorld {
  const world = quietWorld();
  const s = new Script(88_000);
  const ago = (secs: number) => iso(now - secs * 1000);

  const dana = visitor(
    'Dana Whitfield',
    'dana@example.org',
    'https://shop.acme.example/account/invoices',
    FIREFOX_LINUX,
    2,
  );
  const marcus = visitor(
    'Marcus Lee',
    'marcus.lee@northwind.example',
    'https://shop.acme.example/pricing',
    SAFARI_MAC,
  );
  const jonas = visitor('Jonas Berg', null, 'https://shop.acme.example/orders/1042', SAFARI_IPHONE);

  // Dana: invoice with the wrong VAT number; waiting for an answer, typing more.
  const danaId = 1042;
  const danaEvents: ChatEvent[] = [
    messageEvent(s.next(), danaId, visitorAuthor(dana.name), 'My last invoice shows the wrong VAT number. Can you correct it?', ago(412)),
    joinedEvent(s.next(), danaId, SAM, ago(398)),
    ...s.lines(danaId, dana.name, now, [
      ['a', 'Hi Dana, thanks for reaching out to Support. I’m Sam — happy to sort that out.', 395],
      ['a', 'Which invoice is it? The number starts with INV-.', 390],
      ['v', 'It’s INV-2025-0412, from 2 June.', 330],
      ['v', 'Our VAT number is DE 312 458 776 — the invoice has DE 312 458 767.', 322],
      ['a', 'Thanks! I can see it. I’ll issue a corrected invoice and a credit note for the old one.', 250],
      ['a', 'You can download both from https://shop.acme.example/account/invoices once they’re ready.', 244],
      ['v', 'Perfect. Does the corrected one keep the same date? Our accounting needs that.', 44],
    ]),
  ];
  const danaChat = openChat(
    chatSummary(danaId, {
      visitor: dana,
      department: SUPPORT,
      question: 'My last invoice shows the wrong VAT number. Can you correct it?',
      agent: SAM,
      created_at: ago(420),
      accepted_at: ago(398),
      visitor_waiting_since: ago(44),
    }),
    danaEvents,
  );
  danaChat.visitor_typing = true;
  danaChat.visitor_preview = 'Also, could you send it to billing@';

  // Marcus: sales question, answered; no one waiting.
  const marcusId = 1045;
  const marcusChat = openChat(
    chatSummary(marcusId, {
      visitor: marcus,
      department: SALES,
      question: 'Do you offer annual billing for the Team plan?',
      agent: SAM,
      created_at: ago(260),
      accepted_at: ago(251),
    }),
    [
      messageEvent(s.next(), marcusId, visitorAuthor(marcus.name), 'Do you offer annual billing for the Team plan?', ago(260)),
      joinedEvent(s.next(), marcusId, SAM, ago(251)),
      ...s.lines(marcusId, marcus.name, now, [
        ['a', 'Hi Marcus! Yes — annual billing saves two months compared to monthly.', 240],
        ['v', 'Great. We’re 14 people, would that be the Team plan or Business?', 180],
        ['a', 'Team covers up to 25 seats, so you’re well within it. Shall I send you a quote by email?', 95],
      ]),
    ],
  );

  // Jonas: an order question that has waited past the reply alert.
  const jonasId = 1046;
  const jonasChat = openChat(
    chatSummary(jonasId, {
      visitor: jonas,
      department: SUPPORT,
      question: 'Order #1042 still says “processing” after five days.',
      agent: SAM,
      created_at: ago(190),
      accepted_at: ago(170),
      visitor_waiting_since: ago(78),
    }),
    [
      messageEvent(s.next(), jonasId, visitorAuthor(jonas.name), 'Order #1042 still says “processing” after five days.', ago(190)),
      joinedEvent(s.next(), jonasId, SAM, ago(170)),
      ...s.lines(jonasId, jonas.name, now, [
        ['a', 'Hi Jonas, let me check that order for you.', 165],
        ['v', 'Thanks. It was supposed to ship on Monday.', 78],
        ['v', 'I need it before the weekend if possible.', 70],
      ]),
    ],
  );

  const lena = visitor('Lena Vogt', 'lena.vogt@example.net', 'https://shop.acme.example/login', CHROME_WIN);
  const lenaId = 1049;
  const lenaSummary = chatSummary(lenaId, {
    visitor: lena,
    department: SUPPORT,
    question: 'My password reset link has expired and the new one doesn’t arrive.',
    created_at: ago(14),
    visitor_waiting_since: ago(14),
  });
  const offer = offerOf(301, lenaSummary, ago(6), 30, {
    events: [messageEvent(s.next(), lenaId, visitorAuthor(lena.name), lenaSummary.question, ago(14))],
  });

  const history: CachedTranscript[] = [
    buildPast(s, 1001, dana, SUPPORT, 'How do I add a second billing contact?', 6 * 86400 + 3600 * 3, [
      ['a', 'Hi Dana! Go to Account → Billing → Contacts and choose “Add contact”.', 40],
      ['v', 'Found it, thank you!', 90],
    ], 'Resolved', ['billing'], MIA),
    buildPast(s, 1012, dana, SUPPORT, 'Can I get invoices in English and German?', 3 * 86400 + 3600, [
      ['a', 'Yes: each invoice has a language switch in the top right of the PDF view.', 50],
      ['v', 'Great, that’s all I needed.', 120],
    ], 'Resolved', ['invoice', 'language']),
    buildPast(s, 1020, visitor('Olivia Brown', 'olivia@brightlabs.example', 'https://shop.acme.example/pricing', CHROME_WIN), SALES,
      'Is there a discount for non-profits?', 2 * 86400 + 7200, [
        ['a', 'Hi Olivia — yes, registered non-profits get 30% off any plan.', 45],
        ['v', 'Wonderful. How do we apply?', 110],
        ['a', 'Send your registration to sales@acme.example and we’ll set it up within a day.', 150],
      ], 'Sale', ['discount', 'non-profit']),
    buildPast(s, 1027, visitor('Kenji Sato', 'kenji@example.jp', 'https://shop.acme.example/help/shipping', SAFARI_MAC), SUPPORT,
      'Do you ship to Japan?', 86400 + 5400, [
        ['a', 'We do! Shipping to Japan takes 5–7 working days with tracking.', 35],
        ['v', 'And customs fees?', 70],
        ['a', 'Those are paid on delivery; we show an estimate at checkout.', 110],
      ], 'Resolved', ['shipping']),
    buildPast(s, 1031, visitor('Rachel Green', 'rachel@example.com', 'https://shop.acme.example/account', FIREFOX_LINUX), SUPPORT,
      'I was charged twice for my subscription.', 86400 - 1800, [
        ['a', 'I’m sorry about that, Rachel. I can see the duplicate charge on 28 May.', 60],
        ['a', 'I’ve refunded it; it shows in your account within 3–5 days.', 140],
        ['v', 'Thank you for the quick help!', 200],
      ], 'Resolved', ['refund', 'billing'], SAM, 'Duplicate charge from the payment retry bug; refunded.'),
    buildPast(s, 1036, visitor('Tomás Alvarez', null, 'https://shop.acme.example/', CHROME_WIN), SALES,
      'Can I try the Business plan before buying?', 5 * 3600, [
        ['a', 'Sure — every plan has a 14-day trial, no card needed.', 30],
        ['v', 'Nice, I’ll start one now.', 80],
      ], 'Follow-up needed', ['trial']),
    buildPast(s, 1039, visitor('Hannah Schmidt', 'hannah@example.de', 'https://shop.acme.example/help/returns', SAFARI_IPHONE), SUPPORT,
      'How long do returns take to be refunded?', 2 * 3600, [
        ['a', 'Once the parcel reaches us, refunds take 2–3 working days.', 40],
        ['v', 'Okay, the tracking says it arrived yesterday.', 95],
        ['a', 'Then it’s being processed now — you’ll get an email when it’s done.', 130],
      ], 'Resolved', ['returns']),
  ];

  const hubHistory: CachedTranscript[] = [
    buildPast(s, 940, visitor('Peter Novak', 'peter@example.cz', 'https://shop.acme.example/pricing', CHROME_WIN), SALES,
      'Do you have volume pricing above 100 seats?', 21 * 86400, [
        ['a', 'Yes, above 100 seats we offer custom pricing. I’ll connect you with our team.', 50],
      ], 'Follow-up needed', ['enterprise']),
    buildPast(s, 951, visitor('Amara Okoye', 'amara@example.ng', 'https://shop.acme.example/help', SAFARI_MAC), SUPPORT,
      'The export to CSV is missing the tax column.', 17 * 86400, [
        ['a', 'Thanks Amara — there’s a “Include tax details” option in the export dialog.', 60],
        ['v', 'There it is. Thanks!', 120],
      ], 'Resolved', ['export']),
  ];

  const olu = visitor('Olu Adeyemi', 'olu@example.net', 'https://shop.acme.example/pricing', CHROME_WIN);
  const grace = visitor('Grace Kim', null, 'https://shop.acme.example/checkout', SAFARI_IPHONE);
  const ben = visitor('Ben Carter', 'ben.carter@example.org', 'https://shop.acme.example/help/warranty', FIREFOX_LINUX);
  const rosa = visitor('Rosa Díaz', 'rosa@example.es', 'https://shop.acme.example/', SAFARI_MAC);

  const missedEvents = (chatId: number, who: string, texts: [string, number][]) =>
    texts.map(([text, secs]) => messageEvent(s.next(), chatId, visitorAuthor(who), text, ago(secs)));

  const oluChat = chatSummary(1037, { visitor: olu, department: SALES, question: 'Is there an education discount?', state: 'missed', created_at: ago(3600 * 11) });
  const graceChat = chatSummary(1041, { visitor: grace, department: SUPPORT, question: 'The checkout page keeps spinning after I press Pay.', state: 'missed', created_at: ago(1500) });
  const benChat = chatSummary(1033, { visitor: ben, department: SUPPORT, question: 'My headphones stopped charging — are they still under warranty?', state: 'missed', created_at: ago(3600 * 3) });
  const rosaChat = chatSummary(1025, { visitor: rosa, department: SALES, question: '¿Tienen factura con IVA para empresas en España?', state: 'missed', created_at: ago(86400 + 3600) });

  const rosaReplyAt = ago(86400);
  const rosaReply = {
    id: 11,
    agent: SAM,
    to: 'rosa@example.es',
    subject: 'Re: ¿Tienen factura con IVA para empresas en España?',
    text: 'Hola Rosa, yes — add your NIF at checkout and the invoice shows Spanish VAT. Saludos, Sam',
    created_at: rosaReplyAt,
    delivery: { state: 'sent' as const, at: rosaReplyAt },
  };

  const missed = [
    missedChatOf(77, oluChat, {
      reason: 'closed',
      created_at: oluChat.created_at,
      events: missedEvents(1037, olu.name, [
        ['Is there an education discount?', 3600 * 11],
        ['We are a school with 30 teachers and would start in September.', 3600 * 11 - 40],
      ]),
    }),
    missedChatOf(81, graceChat, {
      reason: 'visitor_left',
      answerable: false,
      created_at: graceChat.created_at,
      events: missedEvents(1041, grace.name, [['The checkout page keeps spinning after I press Pay.', 1500]]),
    }),
    missedChatOf(74, benChat, {
      reason: 'queue_timeout',
      state: 'claimed',
      claimed_by: ALEX,
      claim_expires_at: iso(now + 9 * 60_000),
      created_at: benChat.created_at,
      events: missedEvents(1033, ben.name, [
        ['My headphones stopped charging — are they still under warranty?', 3600 * 3],
        ['Bought them in March, order 88-1203.', 3600 * 3 - 30],
      ]),
    }),
    missedChatOf(69, rosaChat, {
      reason: 'no_agents',
      state: 'replied',
      claimed_by: SAM,
      created_at: rosaChat.created_at,
      events: missedEvents(1025, rosa.name, [['¿Tienen factura con IVA para empresas en España?', 86400 + 3600]]),
      replies: [rosaReply],
    }),
  ];

  return {
    ...world,
    chats: [danaChat, marcusChat, jonasChat],
    offers: [offer],
    queue: [
      {
        chat_id: 1050,
        department: SUPPORT,
        visitor_name: 'Tom Okafor',
        question: 'How do I export my order history?',
        waiting_since: ago(72),
        position: 1,
      },
      {
        chat_id: 1051,
        department: SUPPORT,
        visitor_name: 'Aisha Khan',
        question: 'Can I change the delivery address after ordering?',
        waiting_since: ago(21),
        position: 2,
      },
    ],
    missed,
    history,
    hubHistory,
  };
}

const REPLIES: Record<string, string[]> = {
  'Dana Whitfield': [
    'Also, could you send it to billing@whitfield-design.example? That’s our accounts inbox.',
    'Thank you, that’s everything. Have a good afternoon!',
  ],
  'Marcus Lee': ['Yes please, to marcus.lee@northwind.example.', 'Perfect, thanks Sam!'],
  'Jonas Berg': ['Great, thank you. Will I get a tracking link?', 'Got it, thanks!'],
  'Lena Vogt': ['I tried twice, nothing in spam either.', 'It worked now, thank you!'],
};

const ARRIVALS = [
  {
    visitor: 'Noor Haddad',
    email: 'noor@example.ae',
    question: 'Can I pay by bank transfer instead of card?',
    departmentId: 1,
  },
  {
    visitor: 'Felix Wagner',
    email: 'felix.wagner@example.de',
    question: 'The app shows “session expired” every few minutes.',
    departmentId: 2,
  },
  {
    visitor: 'Sofia Rossi',
    question: 'Do gift cards expire?',
    departmentId: 1,
  },
];

/** Plays the visitors and the hub around a FakeBackend in the browser demo. */
export function startDemoScript(fake: FakeBackend): () => void {
  const timers = new Set<ReturnType<typeof setTimeout>>();
  const later = (ms: number, run: () => void) => {
    const t = setTimeout(() => {
      timers.delete(t);
      run();
    }, ms);
    timers.add(t);
  };
  const said = new Map<number, number>();
  let arrivals = 0;

  const reply = (chatId: number) => {
    const open = fake.console.chats.find((o) => o.chat.id === chatId);
    if (open === undefined || open.chat.state !== 'active') return;
    const lines = REPLIES[open.chat.visitor.name] ?? ['Thanks, that helps!', 'Great, thank you!'];
    const n = said.get(chatId) ?? 0;
    const text = lines[Math.min(n, lines.length - 1)] ?? 'Thanks!';
    said.set(chatId, n + 1);
    const steps = 5;
    for (let i = 1; i <= steps; i++) {
      later(1500 + i * 450, () => {
        if (fake.console.chats.some((o) => o.chat.id === chatId && o.chat.state === 'active')) {
          fake.visitorTyping(chatId, text.slice(0, Math.ceil((text.length * i) / (steps + 1))));
        }
      });
    }
    later(1500 + (steps + 1) * 450 + 400, () => {
      if (fake.console.chats.some((o) => o.chat.id === chatId && o.chat.state === 'active')) {
        fake.visitorSays(chatId, text);
      }
    });
  };

  const stop = fake.onPublish((change: ConsoleChange) => {
    if (change.type !== 'chat_events') return;
    const fromAgent = change.events.some((e) => e.type === 'message' && e.author.kind === 'agent');
    if (fromAgent) reply(change.chat_id);
  });

  const tick = setInterval(() => {
    fake.expireOffers();
    const c = fake.console;
    const cap = c.agent?.max_chats ?? 4;
    if (c.status !== 'online' || c.connection.state !== 'online') return;
    if (c.offers.length === 0 && c.chats.length < cap && Math.random() < 0.04) {
      const next = ARRIVALS[arrivals % ARRIVALS.length];
      arrivals++;
      if (next !== undefined) fake.offerChat({ ...next, timeoutSecs: 45 });
    }
  }, 1000);

  return () => {
    stop();
    clearInterval(tick);
    for (const t of timers) clearTimeout(t);
    timers.clear();
  };
}
