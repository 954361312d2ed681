// What the fake hub knows when an agent signs in: the agent, departments, chats, offers,
// queue, missed chats, the local history cache, canned responses and other agents.
import type { AgentAvailability } from './bindings/AgentAvailability';
import type { AgentInfo } from './bindings/AgentInfo';
import type { AgentStatus } from './bindings/AgentStatus';
import type { CachedTranscript } from './bindings/CachedTranscript';
import type { CannedResponse } from './bindings/CannedResponse';
import type { DepartmentAvailability } from './bindings/DepartmentAvailability';
import type { DepartmentInfo } from './bindings/DepartmentInfo';
import type { MissedChat } from './bindings/MissedChat';
import type { Offer } from './bindings/Offer';
import type { OpenChat } from './bindings/OpenChat';
import type { QueueEntry } from './bindings/QueueEntry';
import { agentInfo, departmentInfo } from './fake-data';

export interface FakeWorld {
  agent: AgentInfo;
  status: AgentStatus;
  departments: DepartmentInfo[];
  chats: OpenChat[];
  offers: Offer[];
  queue: QueueEntry[];
  missed: MissedChat[];
  /** Transcripts already in this computer's cache, any order. */
  history: CachedTranscript[];
  /** Transcripts only the hub has; `historySync` brings them into the cache. */
  hubHistory: CachedTranscript[];
  canned: CannedResponse[];
  /** Other agents, for the transfer dialog. */
  agents: AgentAvailability[];
  /** Departments as transfer targets. */
  targets: DepartmentAvailability[];
}

/** An agent who has just signed in on a quiet day: online, nothing going on. */
export function quietWorld(): FakeWorld {
  return {
    agent: agentInfo(),
    status: 'online',
    departments: [
      departmentInfo(1, 'Sales', { wrap_up_required: false }),
      departmentInfo(2, 'Support'),
    ],
    chats: [],
    offers: [],
    queue: [],
    missed: [],
    history: [],
    hubHistory: [],
    canned: [
      {
        id: 1,
        scope: 'department',
        department: { id: 2, name: 'Support' },
        shortcut: 'hello',
        text: 'Hi {visitor_name}, thanks for contacting {department}. I’m {agent_name} — how can I help?',
      },
      {
        id: 2,
        scope: 'personal',
        owner: 7,
        shortcut: 'moment',
        text: 'Give me a moment while I look into that for you.',
      },
      {
        id: 3,
        scope: 'department',
        department: { id: 2, name: 'Support' },
        shortcut: 'bye',
        text: 'Is there anything else I can help you with today, {visitor_name}?',
      },
    ],
    agents: [
      {
        id: 9,
        name: 'Alex Chen',
        status: 'online',
        connected: true,
        active_chats: 1,
        max_chats: 4,
        departments: [{ id: 1, name: 'Sales' }],
      },
      {
        id: 11,
        name: 'Mia Schulz',
        status: 'away',
        connected: true,
        active_chats: 2,
        max_chats: 3,
        departments: [{ id: 2, name: 'Support' }],
      },
      {
        id: 12,
        name: 'Noah Williams',
        status: 'online',
        connected: true,
        active_chats: 3,
        max_chats: 3,
        departments: [{ id: 2, name: 'Support' }],
      },
      {
        id: 14,
        name: 'Priya Raman',
        status: 'offline',
        connected: false,
        active_chats: 0,
        max_chats: 4,
        departments: [{ id: 2, name: 'Support' }],
      },
    ],
    targets: [
      { id: 1, name: 'Sales', open: true, agents_online: 1, free_slots: 3, queue_length: 0 },
      { id: 2, name: 'Support', open: true, agents_online: 2, free_slots: 0, queue_length: 2 },
      { id: 3, name: 'Billing', open: false, agents_online: 0, free_slots: 0, queue_length: 0 },
    ],
  };
}
