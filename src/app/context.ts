import { databasePath } from './paths.js';
import type Database from 'better-sqlite3';
import { ApiKeyStore } from '../auth/api-keys.js';
import { CredentialChecker } from '../auth/credentials.js';
import { MasterToken } from '../auth/master-token.js';
import { RevokedSessions } from '../auth/revoked-sessions.js';
import { AuditLog } from '../audit/log.js';
import { SessionAliases } from '../sessions/aliases.js';
import { ModelResolver } from '../models/resolver.js';
import { ChatService } from '../chat/service.js';
import { TurnQueue } from '../chat/turn-queue.js';
import { loadConfig, type LoadedConfig } from '../config/load.js';
import type { Settings } from '../config/settings.js';
import { SettingsStore } from '../config/settings-store.js';
import { createMemoryPromptContributor } from '../memory/prompt.js';
import { MemoryStore } from '../memory/store.js';
import { createMemoryTools } from '../memory/tools.js';
import { createSkillsPromptContributor } from '../skills/prompt.js';
import { createSkillTools } from '../skills/tools.js';
import { createToolSetup, type ToolSetup } from '../tools/setup.js';
import { createMcpManager } from '../mcp/setup.js';
import type { McpManager } from '../mcp/manager.js';
import { McpOAuthService } from '../mcp/oauth/service.js';
import { MediaStore } from '../media/store.js';
import { publicBaseUrl } from '../mcp/oauth/public-url.js';
import { ErrorLog } from '../health/error-log.js';
import { intentionRunner } from '../intentions/run.js';
import { IntentionService } from '../intentions/service.js';
import { ReminderService } from '../reminders/service.js';
import { HealthService } from '../health/service.js';
import { createLimiters, type Limiters } from '../ratelimit/limiters.js';
import { SessionEvents } from '../sessions/events.js';
import { SessionService } from '../sessions/service.js';
import { SqliteSessionStore } from '../sessions/sqlite-store.js';
import { openDatabase } from '../store/db.js';
import { LiveBus } from '../events/live-bus.js';
import { createInboundFilter } from '../security/injection/inbound-filter.js';
import { appSecretValues } from '../security/secret-values.js';
import { redact } from '../security/redact.js';
import { ChannelManager } from '../channels/manager.js';
import { LazyTelegramPairing } from '../channels/lazy-pairing.js';
import { notify } from '../channels/notify.js';
import { createReminderTool } from '../reminders/tool.js';

/**
 * Every long-lived resource of the process, created here and closed by `close()`.
 * Nothing else holds global state.
 */
export interface AppContext {
  config: LoadedConfig;
  settings: () => Settings;
  settingsStore: SettingsStore;
  chat: ChatService;
  home: string;
  db: Database.Database;
  sessions: SessionService;
  master: MasterToken;
  apiKeys: ApiKeyStore;
  credentials: CredentialChecker;
  limiters: Limiters | null;
  audit: AuditLog;
  /** Frames for every open dashboard: audit entries, plans, reminders, intention runs. */
  bus: LiveBus;
  /** Picks the model of each turn; one instance, so its Ollama probe is cached once. */
  models: ModelResolver;
  errors: ErrorLog;
  health: HealthService;
  /** PocketPaw's reminders (`reminders.json`); due ones reach every open dashboard. */
  reminders: ReminderService;
  /** Scheduled agent runs (`intentions.json`). */
  intentions: IntentionService;
  /** Arms the reminder and intention timers: the server does, a CLI command does not. */
  startSchedules(): void;
  /** Long-term memory (the server's one store). */
  memory: MemoryStore;
  /** The agent's tools, the gate that polices them, plan mode's proposals and the shell sandbox. */
  tools: ToolSetup;
  /** The MCP servers of `mcp_servers.json`: connected in the background, their tools in `tools.registry`. */
  mcp: McpManager;
  /** Browser sign-in (OAuth) for remote MCP servers; the callback route completes its flows. */
  mcpOAuth: McpOAuthService;
  /** Files sent with messages (`<data dir>/media/`, spec §4.7). */
  media: MediaStore;
  /** Telegram, Discord, Slack, WhatsApp: started by the server (`autostart`, CLI flags), their libraries loaded on first start. */
  channels: ChannelManager;
  /** Telegram pairing (spec §3.21): a temporary bot that makes whoever opens the owner's link the allowed user. */
  telegramPairing: LazyTelegramPairing;
  /** Stops running turns (storing their partial answers), then closes everything. */
  close(): Promise<void>;
}


export function createAppContext(env: NodeJS.ProcessEnv = process.env): AppContext {
  const config = loadConfig(env);
  const home = config.home;
  const db = openDatabase(databasePath(home));
  try {
    const master = new MasterToken(MasterToken.pathIn(home));
    const apiKeys = new ApiKeyStore(ApiKeyStore.pathIn(home));
    const settingsStore = new SettingsStore(config);
    const settings = () => settingsStore.get();
    // Exact values of the master token and saved keys: redacted wherever text leaves the server.
    const secrets = appSecretValues({ master, settings: settingsStore });
    const sessions = new SessionService(new SqliteSessionStore(db), new SessionEvents(), secrets);
    const bus = new LiveBus(secrets);
    const audit = new AuditLog(AuditLog.pathIn(home), { bus, secrets });
    const models = new ModelResolver();
    const memory = new MemoryStore(db, home);
    const tools = createToolSetup({ home, settings: settingsStore, audit, bus, extraTools: [...createMemoryTools(memory), ...createSkillTools({ home, audit }), createReminderTool(() => reminders)], models, env });
    // The sign-in reconnects its server once done; the manager asks it for each OAuth server's provider.
    const mcpOAuth = new McpOAuthService({
      home, bus,
      baseUrl: publicBaseUrl(settings().web_host, settings().web_port), // until the server says where it listens
      reconnect: (name) => mcp.connectNow(name),
    });
    const mcp = createMcpManager({ home, settings, tools, env, oauth: mcpOAuth });
    const media = new MediaStore(home, settings);
    const chat = new ChatService({
      home, settings: settingsStore, sessions, media, aliases: new SessionAliases(db), models,
      queue: new TurnQueue(() => settings().max_concurrent_conversations),
      tools: tools.registry,
      toolGate: tools.gate,
      promptContributors: [createMemoryPromptContributor(memory, settingsStore), createSkillsPromptContributor(home, settingsStore)],
      inboundFilter: createInboundFilter({ settings: settingsStore, models }),
    });
    const channels = new ChannelManager({
      settings: settingsStore, chat, media, audit,
      log: (m) => process.stderr.write(`[channels] ${redact(m, secrets)}\n`),
    });
    const telegramPairing = new LazyTelegramPairing({
      settings: settingsStore,
      audit: (e) => audit.write(e),
      log: (m) => process.stderr.write(`[telegram pairing] ${redact(m, secrets)}\n`),
    }, channels);
    const health = new HealthService({ home, db, tokenFile: master.file });
    const broadcast = bus.publish.bind(bus);
    // PocketPaw sends both reminder frames (spec §4.4); clients read one or the other. A reminder
    // set in a channel chat goes back there; any other goes to `notify_channel` as well.
    const reminders = new ReminderService(home, (r, origin) => {
      broadcast({ type: 'reminder', content: r });
      broadcast({ type: 'reminder', reminder: r });
      void notify(channels, settings(), `⏰ Reminder: ${r.text}`, origin);
    });
    const intentions = new IntentionService(home, intentionRunner({ home, health, chat, notify: (text) => void notify(channels, settings(), text) }, broadcast));
    let closing: Promise<void> | undefined;
    return {
      config,
      settings,
      settingsStore,
      chat,
      home,
      db,
      sessions,
      master,
      apiKeys,
      credentials: new CredentialChecker(master, apiKeys, new RevokedSessions(RevokedSessions.pathIn(home))),
      limiters: createLimiters(config.settings),
      audit,
      bus,
      models,
      errors: new ErrorLog(secrets),
      tools,
      mcp,
      mcpOAuth,
      media,
      channels,
      telegramPairing,
      memory,
      health,
      reminders,
      intentions,
      startSchedules() {
        reminders.schedule();
        intentions.start();
      },
      close() {
        // Timers first, so nothing new starts while the running turns are stopped.
        reminders.close();
        intentions.close();
        // A database integrity check still running in its worker thread stops.
        void health.close();
        // Channels stop taking messages while the running turns are stopped and stored.
        closing ??= Promise.all([channels.close(), chat.close(), telegramPairing.close()]).then(() => mcp.close()).finally(() => {
          mcpOAuth.close();
          tools.close();
          bus.close();
          apiKeys.close();
          sessions.events.removeAllListeners();
          db.close();
        });
        return closing;
      },
    };
  } catch (err) {
    db.close();
    throw err;
  }
}
