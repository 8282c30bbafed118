/**
 * The environment of the agent's commands, built from an allowlist: nothing of the server's
 * environment reaches them unless named here. A denylist (`*KEY*`, `*TOKEN*`, …) always misses
 * some name (`OPENAI_API_BASE` with a key in it, a `DATABASE_URL` with a password); an
 * allowlist cannot leak what it does not name.
 */

/** Passed on from the server's environment when set: the locale, so tools print text as the owner reads it. */
const PASSED = ['LANG', 'LC_ALL'] as const;

export const DEFAULT_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

export interface CommandEnvOptions {
  /** HOME for the command: the workspace, so `~` and dotfiles stay in it. */
  home: string;
  tmpdir: string;
  /** The in-sandbox proxy bridge (`http://127.0.0.1:<port>`) when the sandbox has network. */
  proxyUrl?: string;
}

export function commandEnv(base: NodeJS.ProcessEnv, o: CommandEnvOptions): Record<string, string> {
  const env: Record<string, string> = {
    PATH: base.PATH || DEFAULT_PATH,
    HOME: o.home,
    TMPDIR: o.tmpdir,
    TERM: base.TERM || 'dumb',
  };
  for (const name of PASSED) {
    const v = base[name];
    if (v) env[name] = v;
  }
  if (o.proxyUrl) {
    // Both spellings: curl reads the lower-case ones (and ignores upper-case HTTP_PROXY), most others either.
    for (const name of ['HTTP_PROXY', 'HTTPS_PROXY', 'ALL_PROXY', 'http_proxy', 'https_proxy', 'all_proxy']) env[name] = o.proxyUrl;
  }
  return env;
}
