import type { ColumnMapping } from './schema';

/**
 * First guesses for the mapping form from column names, so a user with a familiar-looking table only confirms.
 * Each rule is a list of name patterns in order of preference; the form shows the guess and the user decides.
 */
const RULES: Record<'time' | 'image' | 'commandLine' | 'account' | 'domain' | 'upn' | 'device', RegExp[]> = {
  time: [/^(timestamp|@timestamp|timegenerated|utctime|eventtime)$/i, /creationtime$/i, /time/i, /date/i],
  image: [/^(image|newprocessname|filename|folderpath|process\.executable|process\.name)$/i, /^createdprocess(name|filepath)$/i, /processname$/i, /(image|executable|exe)/i],
  commandLine: [/^(processcommandline|commandline|process\.command_line)$/i, /^createdprocesscommandline$/i, /command.?line/i, /cmd/i],
  account: [/^(accountname|user|username|subjectusername|user\.name)$/i, /^createdprocessaccountname$/i, /account.?name$/i, /user/i],
  domain: [/^(accountdomain|subjectdomainname|user\.domain)$/i, /^createdprocessaccountdomainname$/i, /domain/i],
  upn: [/^accountupn$/i, /^createdprocessaccountupn$/i, /^user\.email$/i],
  device: [/^(devicename|computer|hostname|host\.name|computerdnsname)$/i, /(device|computer|host)/i],
};

function pick(columns: string[], patterns: RegExp[], taken: Set<string>): string | undefined {
  for (const p of patterns) {
    const hit = columns.find((c) => p.test(c) && !taken.has(c));
    if (hit) return hit;
  }
  return undefined;
}

export function guessMapping(columns: string[]): Partial<ColumnMapping> {
  const taken = new Set<string>();
  const take = (key: keyof typeof RULES) => {
    const c = pick(columns, RULES[key], taken);
    if (c) taken.add(c);
    return c;
  };
  const commandLine = take('commandLine');
  const time = take('time');
  const image = take('image');
  const upn = take('upn');
  const domain = take('domain');
  const account = take('account');
  const device = take('device');
  return { time, image, commandLine, account, domain, upn, device, zoneMinutes: 0 };
}
