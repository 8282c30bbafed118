import { InvalidInputError, NotFoundError } from '../lib/errors.js';
import { PRESETS, type McpPreset, type PresetEnvKey } from './preset-catalogue.js';
import type { PresetListing, PresetSource } from '../protocol/mcp.js';
import type { McpServerConfig } from './types.js';

export type { McpPreset, PresetEnvKey } from './preset-catalogue.js';
export type { PresetListing, PresetSource } from '../protocol/mcp.js';

export function findPreset(id: string): McpPreset | undefined {
  return PRESETS.find((p) => p.id === id);
}

export function presetSource(preset: Pick<McpPreset, 'command' | 'transport'>): PresetSource {
  if (preset.transport !== 'stdio') return 'remote';
  if (preset.command === 'npx') return 'npm';
  if (preset.command === 'uvx') return 'pypi';
  return 'local';
}

/** The note shown before installing and returned by the install: what the server needs to start. */
export function presetNote(preset: McpPreset): string {
  switch (presetSource(preset)) {
    case 'npm':
      return `Runs \`npx -y ${preset.package}\`: the first start downloads the package from the npm registry (registry.npmjs.org), which needs network access this machine may not have. Without it the server cannot start. The server is given network access (through the sandbox's proxy) for this.`;
    case 'pypi':
      return `Runs \`uvx ${preset.package}\`: the first start downloads the package from PyPI (pypi.org), which needs \`uv\` installed and network access this machine may not have. Without it the server cannot start. The server is given network access (through the sandbox's proxy) for this.`;
    case 'remote':
      return `Connects to ${new URL(preset.url).host}: needs network access to that host${preset.oauth ? ', and a sign-in in the browser when it first connects' : ''}.`;
    case 'local':
      return `Runs \`${preset.command}\`, which must be installed on this machine (${preset.package}).`;
  }
}

/** The catalogue as the dashboard lists it; `installed` = a configured server has the preset's id as name. */
export function listPresets(configuredNames: readonly string[]): PresetListing[] {
  const installed = new Set(configuredNames);
  return PRESETS.map((p) => ({
    id: p.id,
    name: p.name,
    description: p.description,
    icon: p.icon,
    category: p.category,
    package: p.package,
    transport: p.transport,
    url: p.url,
    docs_url: p.docs_url,
    needs_args: p.needs_args,
    oauth: p.oauth,
    installed: installed.has(p.id),
    env_keys: p.env_keys.map((k) => ({ ...k })),
    source: presetSource(p),
    note: presetNote(p),
  }));
}

/** Names of the required env keys that `env` leaves missing or empty, in catalogue order. */
export function missingEnvKeys(preset: McpPreset, env: Readonly<Record<string, string>>): string[] {
  return preset.env_keys.filter((k) => k.required && !env[k.key]?.trim()).map((k) => k.key);
}

/**
 * The server config a preset installs as (PocketPaw's `preset_to_config`): named after the preset
 * id, the preset's command with `extra_args` appended, or its url for a hosted server. Empty env
 * values are dropped (an optional key left blank must not override the server's default).
 * Throws NotFoundError (unknown id) or InvalidInputError (required env keys missing) with
 * PocketPaw's messages.
 */
export function presetToConfig(presetId: string, env: Readonly<Record<string, string>> = {}, extraArgs: readonly string[] = []): McpServerConfig {
  const preset = findPreset(presetId);
  if (!preset) throw new NotFoundError(`Unknown preset: ${presetId}`);
  const missing = missingEnvKeys(preset, env);
  if (missing.length) throw new InvalidInputError(`Missing required env vars: ${missing.join(', ')}`);
  const kept = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== ''));
  return {
    name: preset.id,
    transport: preset.transport,
    command: preset.command,
    args: [...preset.args, ...extraArgs],
    url: preset.url,
    env: kept,
    enabled: true,
    timeout: 30,
    ...(preset.oauth ? { oauth: true } : {}),
    // A package preset downloads itself on first start, and the services these wrap are remote:
    // installing one from the catalogue grants its sandbox the (proxied) network. Still never
    // loopback, private addresses or PocketPaw's own port (see README "MCP servers").
    ...(presetSource(preset) === 'npm' || presetSource(preset) === 'pypi' ? { sandbox: { network: true } } : {}),
  };
}
