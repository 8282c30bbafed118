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

interface Rail extends RailHit {
  re: RegExp;
}

const rail = (rule: string, reason: string, re: RegExp): Rail => ({ rule, reason, re });

/** `rm` with recursive/force flags in any spelling (`-rf`, `-r -f`, `--recursive`, `--no-preserve-root`). */
const RM_FLAGS = String.raw`rm\s+(?:(?:-[a-z]+|--[a-z-]+)\s+)*`;
/** Targets whose deletion wipes a system or a home: /, /*, ~, ~/, $HOME, top-level system dirs. */
const RM_TARGET = String.raw`["']?(?:/+\*?|~/?\*?|\$\{?HOME\}?/?\*?|/(?:bin|boot|dev|etc|home|lib|lib64|opt|proc|root|sbin|srv|sys|usr|var)/?\*?)(?=$|[\s;&|)'"])`;
/** Something that executes what it reads: a shell or a script interpreter. */
const SHELLS = String.raw`(?:sudo\s+)?(?:\/\S*\/)?(?:ba|z|k|da|fi|c|tc)?sh\b|(?:sudo\s+)?(?:\/\S*\/)?(?:python[0-9.]*|perl|ruby|node|php)(?:\s+-)?\s*(?=$|[;&|)])`;

const RAILS: Rail[] = [
  // Destroying files
  rail('rm-root', 'deletes the whole system or a home directory', new RegExp(String.raw`\b${RM_FLAGS}${RM_TARGET}`, 'i')),
  rail('rm-star', 'recursively deletes everything here', new RegExp(String.raw`\brm\s+(?:(?:-[a-z]*[rR][a-z]*|--recursive)\s+)+(?:(?:-[a-z]+|--[a-z-]+)\s+)*\*(?=$|[\s;&|)])`, 'i')),
  rail('sudo-rm', 'deletes files as root', /\bsudo\s+(?:-\S+\s+)*rm\b/i),
  rail('find-delete-root', 'deletes files across the whole system', /\bfind\s+\/\s.*-delete\b/i),
  rail('fork-bomb', 'is a fork bomb', /(\S+)\s*\(\s*\)\s*\{[^}]*\1\s*\|\s*\1\s*&/),
  rail('fork-bomb', 'is a fork bomb', /:\(\)\s*\{\s*:\s*\|\s*:\s*&\s*\}\s*;?\s*:/),
  // Disks and devices
  rail('mkfs', 'formats a filesystem', /(?:^|[\s;&|(`])(?:sudo\s+)?mkfs(?:\.\w+)?\b/i),
  rail('dd', 'writes raw disk data', /\bdd\s+(?:\S+\s+)*if=/i),
  rail('write-device', 'writes to a device', /(?:>|\btee\s+(?:-a\s+)?)\s*\/dev\/(?!null\b|zero\b|stdout\b|stderr\b|stdin\b|tty\b|fd\/|random\b|urandom\b)/i),
  rail('disk-partition', 'repartitions a disk', /\b(?:fdisk|parted|sfdisk|wipefs)\s+(?:\S+\s+)*\/dev\//i),
  rail('shred-device', 'destroys a device', /\bshred\s+.*\/dev\//i),
  // System configuration
  rail('write-etc', 'overwrites system configuration in /etc', /(?:>>?|\btee\s+(?:-a\s+)?)\s*\/etc\//i),
  rail('copy-etc', 'replaces system configuration in /etc', /\b(?:cp|mv|ln|install|rsync)\s+(?:\S+\s+)+\/etc(?:\/\S*)?\s*(?:$|[;&|)])/i),
  rail('sed-etc', 'edits system configuration in /etc', /\bsed\s+(?:\S+\s+)*-i\S*\s+.*\/etc\//i),
  rail('move-auth-files', 'moves critical system files', /\bmv\s+\/etc\/(?:passwd|shadow|sudoers)/i),
  rail('chmod-root', 'opens up permissions on the whole system', /\bchmod\s+(?:-\S+\s+)*(?:0?777|a\+rwx|ugo\+rwx)\s+\/(?:\s|$|\*|[a-z])/i),
  rail('chown-root', 'changes ownership across the system', /\bchown\s+(?:-\S+\s+)*\S+\s+\/(?:\s|$|\*)/i),
  rail('sudoers', 'changes who may act as root', /\bvisudo\b|>>?\s*\/etc\/sudoers|\busermod\s+.*-a?G\s+(?:sudo|wheel|admin)\b/i),
  rail('root-shell', 'opens a root shell', /\bsudo\s+(?:-i|-s|su)\b|\bsu\s+(?:-\s*|root\b)/i),
  // Running code from the internet or hidden code
  rail('curl-pipe-shell', 'runs a script straight from the internet', new RegExp(String.raw`\b(?:curl|wget|fetch)\b.*\|\s*(?:${SHELLS})`, 'i')),
  rail('shell-process-substitution', 'runs a script straight from the internet', /\b(?:ba|z)?sh\s+(?:-\S+\s+)*<\s*\(\s*(?:curl|wget)\b/i),
  rail('download-to-root', 'downloads into a system directory', /\bcurl\s+.*-o\s*\/(?:bin|boot|etc|lib|sbin|usr)\b|\bwget\s+.*-O\s*\/(?:bin|boot|etc|lib|sbin|usr)\b/i),
  rail('decode-to-shell', 'runs hidden (encoded) commands', new RegExp(String.raw`\b(?:base64\s+(?:-d|--decode|-D)|xxd\s+-r)\b[^|]*\|\s*(?:${SHELLS})`, 'i')),
  rail('eval', 'runs a command built at run time', /\beval\s+["'$`]/i),
  // Persistence, exfiltration, remote shells
  rail('crontab', 'changes scheduled jobs', /\bcrontab\s+-[er]\b|>>?\s*\/etc\/cron/i),
  rail('ssh-keys', 'adds an SSH login key', />>?\s*(?:~|\$HOME|\/root|\/home\/[^/\s]+)\/\.ssh\/authorized_keys/i),
  rail('exfiltrate-etc', 'sends system files over the network', /\bcurl\s+.*(?:-d|--data(?:-binary)?|-F|-T)\s*@?\/etc\/|\bnc\b.*<\s*\/etc\//i),
  rail('reverse-shell', 'opens a remote shell', /\b(?:nc|ncat|netcat)\b.*\s-[ec]\s+\S*(?:sh|bash)\b|\/dev\/(?:tcp|udp)\/|\bpython[0-9.]*\s+-c\s+.{0,200}?socket.{0,200}?connect|\bperl\s+-e\s+.*socket.*INET|\bruby\s+-rsocket\s+-e|\bsocat\b.*exec:/i),
  rail('firewall-off', 'turns the firewall or SSH off', /\biptables\s+-F\b|\bufw\s+(?:disable|reset)\b|\bsystemctl\s+(?:stop|disable|mask)\s+(?:ssh|sshd|firewalld|ufw)\b/i),
  // Power
  rail('power', 'shuts down or restarts the machine', /(?:^|[;&|(`]|\$\()\s*(?:sudo\s+(?:-\S+\s+)*)?(?:\/\S*\/)?(?:shutdown|reboot|halt|poweroff)\b/i),
  rail('power', 'shuts down or restarts the machine', /(?:^|[;&|(`]|\$\()\s*(?:sudo\s+(?:-\S+\s+)*)?(?:init|telinit)\s+[06]\b|\bsystemctl\s+(?:poweroff|reboot|halt|kexec)\b/i),
  rail('kill-all', 'kills every process', /\bkill\s+(?:-\S+\s+)*-1\b|\bkillall5\b/i),
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

/** The first rail the command hits, or null. */
export function checkRails(command: string): RailHit | null {
  const variants = [command, normalizeCommand(command)];
  for (const r of RAILS) {
    for (const v of variants) {
      if (r.re.test(v)) return { rule: r.rule, reason: r.reason };
    }
  }
  return null;
}
