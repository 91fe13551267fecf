import type { Random } from '../simulation/random.js';
import type { Endpoint, OsFamily } from './endpoint.js';

const FIRST_NAMES = [
  'alice',
  'bob',
  'carol',
  'david',
  'emma',
  'farid',
  'grace',
  'hugo',
  'ines',
  'jamal',
  'kenji',
  'laura',
  'mehdi',
  'nora',
  'oscar',
  'priya',
  'quentin',
  'rosa',
  'samir',
  'tara',
  'ulrich',
  'vera',
  'wei',
  'yasmin',
  'zoe',
];
const LAST_NAMES = [
  'martin',
  'bernard',
  'dubois',
  'nguyen',
  'muller',
  'rossi',
  'garcia',
  'smith',
  'kowalski',
  'haddad',
  'tanaka',
  'silva',
  'okafor',
  'larsen',
  'novak',
  'fischer',
];
export const DEPARTMENTS = ['Finance', 'Sales', 'Engineering', 'HR', 'IT', 'Legal', 'Support', 'Marketing'] as const;
export const DOMAIN = 'corp.example.com';

interface OsProfile {
  family: OsFamily;
  weight: number;
  versions: readonly string[];
  fctvers: readonly string[];
  hostname: (random: Random, first: string, index: number) => string;
}

const OS_PROFILES: readonly OsProfile[] = [
  {
    family: 'windows',
    weight: 60,
    versions: [
      'Microsoft Windows 11 Professional Edition, 64-bit (build 22631)',
      'Microsoft Windows 10 Professional Edition, 64-bit (build 19045)',
      'Microsoft Windows 11 Enterprise Edition, 64-bit (build 26100)',
    ],
    fctvers: ['7.2.4.0972', '7.2.5.1049', '7.4.0.1658', '7.4.1.1736'],
    hostname: (random, _first, index) =>
      random.chance(0.5)
        ? `LAPTOP-${random.alphanumeric(7)}`
        : `${random.pick(DEPARTMENTS).slice(0, 3).toUpperCase()}-PC-${String(index).padStart(3, '0')}`,
  },
  {
    family: 'macos',
    weight: 15,
    versions: ['macOS Sonoma 14.5', 'macOS Sequoia 15.1', 'macOS Ventura 13.6'],
    fctvers: ['7.2.4.0850', '7.4.0.1620', '7.4.1.1720'],
    hostname: (random, first) => `${first}-macbook-${random.pick(['pro', 'air'])}`,
  },
  {
    family: 'linux',
    weight: 7,
    versions: ['Ubuntu 22.04.4 LTS', 'Ubuntu 24.04.1 LTS', 'Red Hat Enterprise Linux 9.4', 'Debian GNU/Linux 12'],
    fctvers: ['7.2.4.0809', '7.4.0.1582'],
    hostname: (random, first) => `${first}-${random.pick(['ws', 'dev', 'build'])}-${random.int(1, 40)}`,
  },
  {
    family: 'ios',
    weight: 6,
    versions: ['iOS 17.5.1', 'iOS 18.1', 'iPadOS 17.6'],
    fctvers: ['7.4.0.0241', '7.2.3.0198'],
    hostname: (_random, first) => `${first[0]?.toUpperCase()}${first.slice(1)}'s iPhone`,
  },
  {
    family: 'android',
    weight: 7,
    versions: ['Android 14', 'Android 13', 'Android 15'],
    fctvers: ['7.4.0.0127', '7.2.2.0089'],
    hostname: (random, first) => `${random.pick(['Pixel-8', 'Galaxy-S23', 'Galaxy-A54'])}-${first}`,
  },
  {
    family: 'chromeos',
    weight: 5,
    versions: ['ChromeOS 126.0.6478', 'ChromeOS 128.0.6613'],
    fctvers: ['7.2.1.0045', '7.4.0.0061'],
    hostname: (random) => `CB-${random.alphanumeric(6)}`,
  },
];

function mac(random: Random): string {
  return Array.from({ length: 6 }, () => random.hex(2, false)).join('-');
}

export function publicAddress(random: Random): string {
  // Documentation and commonly-seen residential ranges; never a real target of ours: only written into logs.
  const first = random.pick([81, 86, 92, 109, 176, 185, 203, 213]);
  return `${first}.${random.int(1, 254)}.${random.int(1, 254)}.${random.int(1, 254)}`;
}

/** A realistic fleet: an OS mix, named devices, users, office and home addresses, FortiClient versions, serials and UIDs in the observed shapes. */
export function createFleet(random: Random, size: number): Endpoint[] {
  const endpoints: Endpoint[] = [];
  const usedNames = new Set<string>();
  for (let index = 1; index <= size; index++) {
    const profile = random.weighted(OS_PROFILES.map((p) => [p, p.weight] as const));
    const first = random.pick(FIRST_NAMES);
    const user = `${first}.${random.pick(LAST_NAMES)}`;
    let hostname = profile.hostname(random, first, index);
    while (usedNames.has(hostname)) hostname = `${hostname}-${random.int(2, 99)}`;
    usedNames.add(hostname);
    const department = random.pick(DEPARTMENTS);
    const remote = profile.family === 'ios' || profile.family === 'android' ? random.chance(0.7) : random.chance(0.25);
    const tags =
      profile.family === 'windows'
        ? ['Windows-Endpoints', 'AV-Enabled']
        : [`${profile.family[0]?.toUpperCase()}${profile.family.slice(1)}-Endpoints`];
    endpoints.push({
      uid: random.hex(32),
      devid: `FCT${random.alphanumeric(13)}`,
      hostname,
      user,
      osFamily: profile.family,
      os: random.pick(profile.versions),
      fctver: random.pick(profile.fctvers),
      deviceip: remote ? `192.168.${random.int(0, 1)}.${random.int(2, 254)}` : `10.10.${random.int(10, 40)}.${random.int(2, 254)}`,
      devicemac: mac(random),
      publicIp: remote ? publicAddress(random) : undefined,
      remote,
      groups: [`All Groups/${DOMAIN}/${department}`],
      ztnaTags: tags,
      policy: random.chance(0.6) ? 'Global' : `${department}-Policy`,
      // A few endpoints join during the day; the rest registered long ago.
      status: random.chance(0.04) ? 'unregistered' : 'offline',
      compliant: random.chance(0.92),
      lastSeen: undefined,
    });
  }
  return endpoints;
}
