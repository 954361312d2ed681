// The console's line icons (24-unit grid, drawn with a 2-unit stroke), as shapes the
// Icon component draws; inline so the app needs no image files.

export type Shape =
  | { d: string }
  | { circle: [cx: number, cy: number, r: number] }
  | { rect: [x: number, y: number, w: number, h: number, rx: number] };

export const icons = {
  check: [{ d: 'M20 6 9 17l-5-5' }],
  x: [{ d: 'M18 6 6 18M6 6l12 12' }],
  send: [{ d: 'M22 2 11 13M22 2l-7 20-4-9-9-4 20-7z' }],
  transfer: [{ d: 'M16 3l4 4-4 4M20 7H4M8 21l-4-4 4-4M4 17h16' }],
  end: [{ circle: [12, 12, 10] }, { d: 'M15 9l-6 6M9 9l6 6' }],
  search: [{ circle: [11, 11, 8] }, { d: 'm21 21-4.3-4.3' }],
  clock: [{ circle: [12, 12, 10] }, { d: 'M12 6v6l4 2' }],
  inbox: [
    {
      d: 'M22 12h-6l-2 3h-4l-2-3H2M5.45 5.11 2 12v6a2 2 0 0 0 2 2h16a2 2 0 0 0 2-2v-6l-3.45-6.89A2 2 0 0 0 16.76 4H7.24a2 2 0 0 0-1.79 1.11z',
    },
  ],
  mail: [{ rect: [2, 4, 20, 16, 2] }, { d: 'm22 7-10 6L2 7' }],
  external: [
    { d: 'M15 3h6v6M10 14 21 3M18 13v6a2 2 0 0 1-2 2H5a2 2 0 0 1-2-2V8a2 2 0 0 1 2-2h6' },
  ],
  user: [{ circle: [12, 8, 4] }, { d: 'M4 21v-1a6 6 0 0 1 6-6h4a6 6 0 0 1 6 6v1' }],
  globe: [
    { circle: [12, 12, 10] },
    { d: 'M2 12h20M12 2a15.3 15.3 0 0 1 0 20M12 2a15.3 15.3 0 0 0 0 20' },
  ],
  monitor: [{ rect: [2, 3, 20, 14, 2] }, { d: 'M8 21h8M12 17v4' }],
  retry: [{ d: 'M3 12a9 9 0 1 0 3-6.7L3 8M3 3v5h5' }],
  trash: [{ d: 'M3 6h18M8 6V4h8v2M19 6l-1 14H6L5 6' }],
  chevronDown: [{ d: 'm6 9 6 6 6-6' }],
  signOut: [{ d: 'M9 21H5a2 2 0 0 1-2-2V5a2 2 0 0 1 2-2h4M16 17l5-5-5-5M21 12H9' }],
  keyboard: [
    { rect: [2, 5, 20, 14, 2] },
    { d: 'M6 9h.01M10 9h.01M14 9h.01M18 9h.01M6 13h.01M18 13h.01M8 15.5h8' },
  ],
  alert: [
    {
      d: 'M10.3 3.9 1.8 18a2 2 0 0 0 1.7 3h17a2 2 0 0 0 1.7-3L13.7 3.9a2 2 0 0 0-3.4 0zM12 9v4M12 17h.01',
    },
  ],
  wifiOff: [
    {
      d: 'm2 2 20 20M8.5 16.5a5 5 0 0 1 7 0M5 12.9a10 10 0 0 1 5.2-2.8M19 12.9a10 10 0 0 0-2.3-1.7M2 8.8a15 15 0 0 1 4.2-2.8M22 8.8A15 15 0 0 0 11 5M12 20h.01',
    },
  ],
  chat: [{ d: 'M21 15a2 2 0 0 1-2 2H7l-4 4V5a2 2 0 0 1 2-2h14a2 2 0 0 1 2 2z' }],
  chats: [
    { d: 'M14 9a2 2 0 0 1-2 2H6l-4 4V4a2 2 0 0 1 2-2h8a2 2 0 0 1 2 2z' },
    { d: 'M18 9h2a2 2 0 0 1 2 2v11l-4-4h-6a2 2 0 0 1-2-2v-1' },
  ],
  file: [{ d: 'M14 2H6a2 2 0 0 0-2 2v16a2 2 0 0 0 2 2h12a2 2 0 0 0 2-2V8zM14 2v6h6' }],
  bolt: [{ d: 'M13 2 3 14h9l-1 8 10-12h-9l1-8z' }],
  download: [{ d: 'M21 15v4a2 2 0 0 1-2 2H5a2 2 0 0 1-2-2v-4M7 10l5 5 5-5M12 15V3' }],
  tag: [
    { d: 'M20.6 13.4 13.4 20.6a2 2 0 0 1-2.8 0L2 12V2h10l8.6 8.6a2 2 0 0 1 0 2.8z' },
    { d: 'M7 7h.01' },
  ],
  arrowDown: [{ d: 'M12 5v14M19 12l-7 7-7-7' }],
  lock: [{ rect: [3, 11, 18, 11, 2] }, { d: 'M7 11V7a5 5 0 0 1 10 0v4' }],
  info: [{ circle: [12, 12, 10] }, { d: 'M12 16v-4M12 8h.01' }],
  hand: [{ d: 'M7 11V6a2 2 0 1 1 4 0v4M11 10V4a2 2 0 1 1 4 0v6M15 10V6a2 2 0 1 1 4 0v8a8 8 0 0 1-8 8h-1a7 7 0 0 1-5.6-2.8L2.2 16a2 2 0 0 1 3-2.6L7 15V11' }],
  history: [{ d: 'M3 12a9 9 0 1 0 3-6.7L3 8M3 3v5h5M12 7v5l4 2' }],
} satisfies Record<string, Shape[]>;

export type IconName = keyof typeof icons;
