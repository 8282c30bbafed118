/**
 * Dangerous-command rails: shell commands refused before anything runs, whatever the model or
 * the Guardian says. PocketPaw's list (security/rails.py) plus the spec's research list, with two
 * changes: redirections to /dev/null and friends are fine (PocketPaw blocks every `> /dev/…`,
 * so `cmd 2>/dev/null` fails), and power commands count only where a command starts (so
 * `grep reboot log.txt` runs).
 */

export interface RailHit {
  rule: string;
  /** What the rule protects against, for the refusal message. */
  reason: string;
}

/**
 * Longer commands are refused before any pattern runs: no legitimate one-liner is this long,
 * and it bounds the work the rails do per call (bench/patterns.ts).
 */
export const MAX_COMMAND_CHARS = 16 * 1024;

interface Rail extends RailHit {
  test: (command: string) => boolean;
}

const rail = (rule: string, reason: string, re: RegExp): Rail => ({ rule, reason, test: (c) => re.test(c) });
const check = (rule: string, reason: string, test: (command: string) => boolean): Rail => ({ rule, reason, test });

/*
 * Every pattern here runs in linear time. Rules used (see bench/patterns.ts):
 *  - no backreferences;
 *  - no `.*` after a start that can recur in the command (`curl … .* -d`): such rails find the
 *    first start with one search and then search the rest once (`after()`);
 *  - a repeated group of words (`(?:\S+\s+)*`) after a start that can recur is bounded
 *    (`{0,32}`), and two adjacent loops never match the same text;
 *  - a path in front of a command name (`/usr/bin/`) cannot run over a separator, so it never
 *    overlaps the next possible start.
 */

/** `rm` with recursive/force flags in any spelling (`-rf`, `-r -f`, `--recursive`, `--no-preserve-root`). */
const RM_FLAGS = String.raw`rm\s+(?:(?:-[a-z]+|--[a-z-]*)\s+)*`;
/** Targets whose deletion wipes a system or a home: /, /*, ~, ~/, $HOME, top-level system dirs. */
const RM_TARGET = String.raw`["']?(?:/+\*?|~/?\*?|\$\{?HOME\}?/?\*?|/(?:bin|boot|dev|etc|home|lib|lib64|opt|proc|root|sbin|srv|sys|usr|var)/?\*?)(?=$|[\s;&|)'"])`;
/** A directory part in front of a command name; stops at separators. */
const CMD_DIR = String.raw`(?:\/[^\s;&|()\x60]*\/)?`;
/** Something that executes what it reads: a shell or a script interpreter. */
const SHELLS = String.raw`(?:sudo\s+)?${CMD_DIR}(?:ba|z|k|da|fi|c|tc)?sh\b|(?:sudo\s+)?${CMD_DIR}(?:python[0-9.]*|perl|ruby|node|php)(?:\s+-)?\s*(?=$|[;&|)])`;
const PIPE_TO_SHELL = new RegExp(String.raw`\|\s*(?:${SHELLS})`, 'i');
const DECODE = /\b(?:base64\s+(?:-\S*d\S*|--decode|-D)|xxd\s+-r|openssl\s+(?:base64|enc)\s+(?:\S+\s+){0,8}?-d)\b/gi;

/** The text after the first match of `start`, or null: `start.*rest` in linear time. */
function after(command: string, start: RegExp): string | null {
  const m = start.exec(command);
  return m === null ? null : command.slice(m.index + m[0].length);
}

function followedBy(start: RegExp, rest: RegExp): (c: string) => boolean {
  return (c) => {
    const tail = after(c, start);
    return tail !== null && rest.test(tail);
  };
}

/** Decoded (base64/xxd) text that reaches a shell: piped into one, or run by `sh -c "$(…)"`, `$(…)`, `<(…)`, eval. */
function decodesToShell(c: string): boolean {
  DECODE.lastIndex = 0;
  let tested = -1;
  for (let m = DECODE.exec(c); m !== null; m = DECODE.exec(c)) {
    // `decode … | shell`: only the first pipe after the decode matters (as `[^|]*\|`).
    const pipe = c.indexOf('|', m.index + m[0].length);
    if (pipe < 0) break;
    if (pipe !== tested) {
      tested = pipe;
      if (PIPE_TO_SHELL.test(c.slice(pipe, pipe + 200))) return true;
    }
    DECODE.lastIndex = Math.max(DECODE.lastIndex, pipe + 1);
  }
  DECODE.lastIndex = 0;
  if (!DECODE.test(c)) return false;
  DECODE.lastIndex = 0;
  // The decoded text is executed through a command substitution or process substitution.
  return /\b(?:ba|z|k|da)?sh\s+(?:-\S+\s+)*-c\s*["']?\s*(?:\$\(|\x60)|(?:^|[;&|({]\s*)["']?\$\(|\beval\b|\bsource\s+<\(|(?:^|\s)\.\s+<\(|\b(?:ba|z)?sh\s+<\(/i.test(c);
}

// ---------------------------------------------------------------- simple-command scanner

/** Targets whose recursive deletion wipes a system or a home (quotes already removed). */
const ROOT_TARGET = /^(?:\/+\.{0,2}\/?\*?|~[\w.-]*\/?\.?\*?|\$\{?HOME\}?\/?\.?\*?|\/(?:bin|boot|dev|etc|home|lib|lib64|opt|proc|root|sbin|srv|sys|usr|var)\/?\*?)$/i;
/** Wrappers that run the command that follows them. */
const WRAPPERS = new Set(['sudo', 'doas', 'env', 'command', 'exec', 'nohup', 'time', 'nice', 'ionice', 'builtin', 'xargs', 'busybox']);

interface SimpleCommand {
  name: string;
  args: string[];
}

/**
 * The simple commands of a shell line, roughly as the shell sees them: split at `;`, `&`, `|`,
 * newlines, parentheses, braces and command substitution; words split at whitespace with
 * quotes removed; `$x` / `${x}` replaced when an earlier `x=value` set it; wrappers (`sudo`,
 * `env`, …) and leading assignments skipped; a path in front of the name removed. Linear.
 */
function simpleCommands(line: string): SimpleCommand[] {
  const vars = new Map<string, string>();
  const out: SimpleCommand[] = [];
  // `${x}` becomes `$x` first, so the braces do not split it.
  for (const segment of line.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g, '$$$1').split(/\$\(|[;&|\n(){}\x60]/)) {
    let words = segment.split(/\s+/).filter(Boolean).map((w) => w.replace(/["'\\]/g, ''));
    words = words.map((w) => w.replace(/\$([A-Za-z_][A-Za-z0-9_]*)/g, (all, name: string) => vars.get(name) ?? all));
    let i = 0;
    for (; i < words.length; i++) {
      const assign = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(words[i]!);
      if (assign) {
        vars.set(assign[1]!, assign[2]!);
        continue;
      }
      const base = words[i]!.replace(/^.*\//, '');
      if (!WRAPPERS.has(base)) break;
      // The wrapper's own options (`sudo -u x`, `env -i`, `nice -n 5`) are skipped loosely.
      while (i + 1 < words.length && words[i + 1]!.startsWith('-')) i++;
    }
    if (i >= words.length) continue;
    out.push({ name: words[i]!.replace(/^.*\//, '').toLowerCase(), args: words.slice(i + 1) });
  }
  return out;
}

function rmHit(cmd: SimpleCommand): RailHit | null {
  if (cmd.name !== 'rm') return null;
  let recursive = false;
  let root = false;
  let star = false;
  let operands = false;
  for (const a of cmd.args) {
    if (!operands && a === '--') {
      operands = true;
      continue;
    }
    if (!operands && a.startsWith('-') && a.length > 1) {
      if (/^-[a-z]*r/i.test(a) || a === '--recursive') recursive = true;
      continue;
    }
    if (ROOT_TARGET.test(a)) root = true;
    if (a === '*' || a === './*') star = true;
  }
  if (root) return { rule: 'rm-root', reason: 'deletes the whole system or a home directory' };
  if (recursive && star) return { rule: 'rm-star', reason: 'recursively deletes everything here' };
  return null;
}

function findHit(cmd: SimpleCommand): RailHit | null {
  if (cmd.name !== 'find') return null;
  let i = 0;
  let root = false;
  // Options before the paths (-H, -L, -P, -O3, -D x).
  while (i < cmd.args.length && /^-(?:[HLP]|O\d*|D)$/.test(cmd.args[i]!)) i += cmd.args[i] === '-D' ? 2 : 1;
  for (; i < cmd.args.length && !/^[-(!]/.test(cmd.args[i]!); i++) if (ROOT_TARGET.test(cmd.args[i]!)) root = true;
  if (!root) return null;
  const rest = cmd.args.slice(i);
  const deletes = rest.some((a, k) => a === '-delete' || ((a === '-exec' || a === '-execdir' || a === '-ok') && /^(?:.*\/)?(?:rm|shred|unlink)$/.test(rest[k + 1] ?? '')));
  return deletes ? { rule: 'find-delete-root', reason: 'deletes files across the whole system or a home directory' } : null;
}

/** `name(){ … name | name & … }`: a function that pipes itself into itself in the background. */
function forkBomb(c: string): boolean {
  const NAME = String.raw`(?<![^\s;&|(){}])([^\s;&|(){}<>]+)`;
  const defined = new Set<string>();
  for (const m of c.matchAll(new RegExp(String.raw`${NAME}\s*\(\s*\)\s*\{`, 'g'))) defined.add(m[1]!);
  if (defined.size === 0) return false;
  for (const m of c.matchAll(new RegExp(String.raw`${NAME}\s*\|\s*([^\s;&|(){}<>]+)\s*&`, 'g'))) {
    if (m[1] === m[2] && defined.has(m[1]!)) return true;
  }
  return false;
}

/** Script one-liners (`python3 -c`, `node -e`, perl, ruby) that recursively delete a home or /. */
const INTERPRETER = /\b(?:python[0-9.]*|node(?:js)?|deno|bun|perl|ruby)\b/i;
const SCRIPT_HOME = String.raw`os\.path\.expanduser\(\s*\\?["']~\/?\\?["']\s*\)|(?:pathlib\.)?Path\.home\(\s*\)|(?:require\(\s*\\?["'](?:node:)?os\\?["']\s*\)|os)\.homedir\(\s*\)|os\.environ\[\s*\\?["']HOME\\?["']\s*\]|os\.(?:getenv|environ\.get)\(\s*\\?["']HOME\\?["']\s*\)|process\.env\.HOME|process\.env\[\s*\\?["']HOME\\?["']\s*\]|Dir\.home|ENV\[\s*\\?["']HOME\\?["']\s*\]|\$ENV\{\s*\\?["']?HOME\\?["']?\s*\}|\\?["'](?:\/+|~\/?|\$HOME\/?|\/(?:bin|boot|etc|home|lib|opt|root|sbin|srv|usr|var)\/?)\\?["']`;
const SCRIPT_DELETE = new RegExp(
  String.raw`(?:shutil\.rmtree|\brmtree|\brm_rf|\brm_r|FileUtils\.rm_rf|\bremove_tree|\brmSync|\brmdirSync|\bfs(?:\.promises)?\.rm(?:dir)?|\brimraf(?:\.sync)?)\s*\(\s*(?:${SCRIPT_HOME})`,
  'i',
);

const RAILS: Rail[] = [
  // Destroying files
  rail('rm-root', 'deletes the whole system or a home directory', new RegExp(String.raw`\b${RM_FLAGS}${RM_TARGET}`, 'i')),
  rail('sudo-rm', 'deletes files as root', /\bsudo\s+(?:-\S+\s+){0,16}rm\b/i),
  check('fork-bomb', 'is a fork bomb', forkBomb),
  rail('fork-bomb', 'is a fork bomb', /:\(\)\s*\{\s*:\s*\|\s*:\s*&\s*\}\s*;?\s*:/),
  check('script-delete-home', 'deletes the whole system or a home directory', (c) => INTERPRETER.test(c) && SCRIPT_DELETE.test(c)),
  // Disks and devices
  rail('mkfs', 'formats a filesystem', /(?:^|[\s;&|(`])(?:sudo\s+)?mkfs(?:\.\w+)?\b/i),
  rail('dd', 'writes raw disk data', /\bdd\s+(?:\S+\s+){0,32}if=/i),
  rail('write-device', 'writes to a device', /(?:>|\btee\s+(?:-a\s+)?)\s*\/dev\/(?!null\b|zero\b|stdout\b|stderr\b|stdin\b|tty\b|fd\/|random\b|urandom\b)/i),
  rail('disk-partition', 'repartitions a disk', /\b(?:fdisk|parted|sfdisk|wipefs)\s+(?:\S+\s+){0,32}\/dev\//i),
  check('shred-device', 'destroys a device', followedBy(/\bshred\s/i, /\/dev\//i)),
  // System configuration
  rail('write-etc', 'overwrites system configuration in /etc', /(?:>>?|\btee\s+(?:-a\s+)?)\s*\/etc\//i),
  rail('copy-etc', 'replaces system configuration in /etc', /\b(?:cp|mv|ln|install|rsync)\s+(?:\S+\s+){1,32}\/etc(?:\/\S*)?\s*(?:$|[;&|)])/i),
  check('sed-etc', 'edits system configuration in /etc', followedBy(/\bsed\s+(?:\S+\s+){0,16}-i\S*\s/i, /\/etc\//i)),
  rail('move-auth-files', 'moves critical system files', /\bmv\s+\/etc\/(?:passwd|shadow|sudoers)/i),
  rail('chmod-root', 'opens up permissions on the whole system', /\bchmod\s+(?:-\S+\s+){0,16}(?:0?777|a\+rwx|ugo\+rwx)\s+\/(?:\s|$|\*|[a-z])/i),
  rail('chown-root', 'changes ownership across the system', /\bchown\s+(?:-\S+\s+){0,16}\S+\s+\/(?:\s|$|\*)/i),
  rail('sudoers', 'changes who may act as root', /\bvisudo\b|>>?\s*\/etc\/sudoers/i),
  check('sudoers', 'changes who may act as root', followedBy(/\busermod\s/i, /-a?G\s+(?:sudo|wheel|admin)\b/i)),
  rail('root-shell', 'opens a root shell', /\bsudo\s+(?:-i|-s|su)\b|\bsu\s+(?:-\s*|root\b)/i),
  // Running code from the internet or hidden code
  check('curl-pipe-shell', 'runs a script straight from the internet', followedBy(/\b(?:curl|wget|fetch)\b/i, PIPE_TO_SHELL)),
  rail('shell-process-substitution', 'runs a script straight from the internet', /\b(?:ba|z)?sh\s+(?:-\S+\s+){0,16}<\s*\(\s*(?:curl|wget)\b/i),
  check('download-to-root', 'downloads into a system directory', (c) =>
    followedBy(/\bcurl\s/i, /-o\s*\/(?:bin|boot|etc|lib|sbin|usr)\b/i)(c) || followedBy(/\bwget\s/i, /-O\s*\/(?:bin|boot|etc|lib|sbin|usr)\b/)(c)),
  check('decode-to-shell', 'runs hidden (encoded) commands', decodesToShell),
  rail('eval', 'runs a command built at run time', /\beval\s+["'$`]/i),
  // Persistence, exfiltration, remote shells
  rail('crontab', 'changes scheduled jobs', /\bcrontab\s+-[er]\b|>>?\s*\/etc\/cron/i),
  rail('ssh-keys', 'adds an SSH login key', />>?\s*(?:~|\$HOME|\/root|\/home\/[^/\s]+)\/\.ssh\/authorized_keys/i),
  check('exfiltrate-etc', 'sends system files over the network', (c) =>
    followedBy(/\bcurl\s/i, /(?:-d|--data(?:-binary)?|-F|-T)\s*@?\/etc\//i)(c) || followedBy(/\bnc\b/i, /<\s*\/etc\//)(c)),
  check('reverse-shell', 'opens a remote shell', (c) =>
    followedBy(/\b(?:nc|ncat|netcat)\b/i, /\s-[ec]\s+\S*(?:sh|bash)\b/i)(c)
    || /\/dev\/(?:tcp|udp)\/|\bpython[0-9.]*\s+-c\s+.{0,200}?socket.{0,200}?connect|\bruby\s+-rsocket\s+-e/i.test(c)
    || followedBy(/\bperl\s+-e\s/i, /socket/i)(c) && followedBy(/\bsocket/i, /INET/i)(c)
    || followedBy(/\bsocat\b/i, /exec:/i)(c)),
  rail('firewall-off', 'turns the firewall or SSH off', /\biptables\s+-F\b|\bufw\s+(?:disable|reset)\b|\bsystemctl\s+(?:stop|disable|mask)\s+(?:ssh|sshd|firewalld|ufw)\b/i),
  // Power
  rail('power', 'shuts down or restarts the machine', new RegExp(String.raw`(?:^|[;&|(\x60]|\$\()\s*(?:sudo\s+(?:-\S+\s+){0,16})?${CMD_DIR}(?:shutdown|reboot|halt|poweroff)\b`, 'i')),
  rail('power', 'shuts down or restarts the machine', /(?:^|[;&|(`]|\$\()\s*(?:sudo\s+(?:-\S+\s+){0,16})?(?:init|telinit)\s+[06]\b|\bsystemctl\s+(?:poweroff|reboot|halt|kexec)\b/i),
  rail('kill-all', 'kills every process', /\bkill\s+(?:-\S+\s+){0,16}-1\b|\bkillall5\b/i),
];

/**
 * The command as the shell will see it, for matching: Unicode look-alikes folded (NFKC turns
 * fullwidth `ｒｍ` into `rm`), quotes and backslashes that only split words removed
 * (`r''m`, `r\m`), whitespace collapsed.
 */
export function normalizeCommand(command: string): string {
  return command
    .normalize('NFKC')
    .replace(/(?<=\w)(?:''|""|\\)(?=\w)/g, '')
    .replace(/[\t\v\f\r ]+/g, ' ')
    .trim();
}

/**
 * The first rail the command hits, or null. Over-long commands are refused before any pattern
 * runs; every check is linear in the command's length.
 */
export function checkRails(command: string): RailHit | null {
  if (command.length > MAX_COMMAND_CHARS) {
    return {
      rule: 'too-long',
      reason: `is ${command.length} characters long, more than the ${MAX_COMMAND_CHARS} the safety checks accept (write a script file and run that instead)`,
    };
  }
  return matchRails(command);
}

/** The rails without the length cap (for the benchmark, which shows they scale linearly). */
export function matchRails(command: string): RailHit | null {
  const variants = [command, normalizeCommand(command)];
  for (const r of RAILS) {
    for (const v of variants) {
      if (r.test(v)) return { rule: r.rule, reason: r.reason };
    }
  }
  for (const cmd of simpleCommands(variants[1]!)) {
    const hit = rmHit(cmd) ?? findHit(cmd);
    if (hit) return hit;
  }
  return null;
}
