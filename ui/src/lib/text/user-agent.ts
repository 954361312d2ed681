// A browser's user agent in words an agent can use: "Chrome 125 on Windows".

export function describeUserAgent(ua: string | null | undefined): string | null {
  if (ua === null || ua === undefined || ua.trim() === '') return null;
  const browser = browserOf(ua);
  const system = systemOf(ua);
  if (browser === null && system === null) return null;
  if (browser === null) return system;
  return system === null ? browser : `${browser} on ${system}`;
}

function browserOf(ua: string): string | null {
  const rules: [RegExp, string][] = [
    [/Edg(?:e|A|iOS)?\/(\d+)/, 'Edge'],
    [/OPR\/(\d+)/, 'Opera'],
    [/SamsungBrowser\/(\d+)/, 'Samsung Internet'],
    [/Firefox\/(\d+)/, 'Firefox'],
    [/FxiOS\/(\d+)/, 'Firefox'],
    [/CriOS\/(\d+)/, 'Chrome'],
    [/Chrome\/(\d+)/, 'Chrome'],
    [/Version\/(\d+)[\d.]* (?:Mobile\/\S+ )?Safari\//, 'Safari'],
  ];
  for (const [pattern, name] of rules) {
    const match = pattern.exec(ua);
    if (match !== null) return `${name} ${match[1] ?? ''}`.trim();
  }
  return null;
}

function systemOf(ua: string): string | null {
  if (/iPhone|iPad|iPod/.test(ua)) {
    const version = /OS (\d+)[_\d]* like Mac OS X/.exec(ua)?.[1];
    const device = /iPad/.test(ua) ? 'iPadOS' : 'iOS';
    return version === undefined ? device : `${device} ${version}`;
  }
  if (/Android/.test(ua)) {
    const version = /Android (\d+)/.exec(ua)?.[1];
    return version === undefined ? 'Android' : `Android ${version}`;
  }
  if (/Windows NT/.test(ua)) return 'Windows';
  if (/CrOS/.test(ua)) return 'ChromeOS';
  if (/Mac OS X|Macintosh/.test(ua)) return 'macOS';
  if (/Linux/.test(ua)) return 'Linux';
  return null;
}
