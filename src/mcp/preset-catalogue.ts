import type { McpTransport, PresetEnvKey } from '../protocol/mcp.js';

export type { PresetEnvKey } from '../protocol/mcp.js';

/**
 * PocketPaw's MCP preset catalogue (its `mcp/presets.py`): the one-click servers its dashboard
 * lists. Wire data: ids, names, packages, env keys and urls are PocketPaw's, so a preset
 * installed by either version has the same server name and config.
 */

export interface McpPreset {
  id: string;
  name: string;
  description: string;
  /** A lucide icon name. */
  icon: string;
  category: string;
  /** The npm or PyPI package the command runs; "" for hosted servers. */
  package: string;
  /** stdio only: `npx`, `uvx`, or a program the owner installs (`gws`). */
  command: string;
  args: string[];
  env_keys: PresetEnvKey[];
  transport: McpTransport;
  /** Remote servers only. */
  url: string;
  docs_url: string;
  /** The server needs positional arguments from the owner (a path, a database URL). */
  needs_args: boolean;
  /** The remote server signs in through the browser (OAuth with PKCE). */
  oauth: boolean;
}

type Spec = Pick<McpPreset, 'id' | 'name' | 'description' | 'icon' | 'category'> & Partial<Omit<McpPreset, 'env_keys'>> & {
  env_keys?: (Pick<PresetEnvKey, 'key' | 'label' | 'placeholder'> & Partial<PresetEnvKey>)[];
};

function preset(spec: Spec): McpPreset {
  return {
    package: '', command: '', args: [], transport: 'stdio', url: '', docs_url: '', needs_args: false, oauth: false,
    ...spec,
    env_keys: (spec.env_keys ?? []).map((k) => ({ required: true, secret: true, ...k })),
  };
}

/** A hosted server: PocketPaw's `http` transport (it picks Streamable HTTP or SSE itself). */
function remote(spec: Spec & { url: string }): McpPreset {
  return preset({ transport: 'http', ...spec });
}

/** `npx -y <spec>`: the package comes from the npm registry on first start. */
function npx(pkg: string, runSpec: string, spec: Spec, extra: string[] = []): McpPreset {
  return preset({ package: pkg, command: 'npx', args: ['-y', runSpec, ...extra], ...spec });
}

/** `uvx <spec>`: the package comes from PyPI on first start. */
function uvx(pkg: string, runSpec: string, spec: Spec): McpPreset {
  return preset({ package: pkg, command: 'uvx', args: [runSpec], ...spec });
}

const MCP_SERVERS_DOCS = 'https://github.com/modelcontextprotocol/servers';

export const PRESETS: readonly McpPreset[] = [
  // Remote, browser sign-in
  remote({ id: 'github', name: 'GitHub', description: 'Manage repos, issues, PRs, and files (OAuth)', icon: 'github', category: 'dev', url: 'https://api.githubcopilot.com/mcp/', docs_url: 'https://github.com/github/github-mcp-server', oauth: true }),
  remote({ id: 'notion', name: 'Notion', description: 'Search, read, and update pages and databases (OAuth)', icon: 'book-open', category: 'productivity', url: 'https://mcp.notion.com/mcp', docs_url: 'https://developers.notion.com/guides/mcp/get-started-with-mcp', oauth: true }),
  remote({ id: 'atlassian', name: 'Atlassian', description: 'Jira issues and Confluence pages (OAuth)', icon: 'kanban', category: 'productivity', url: 'https://mcp.atlassian.com/v1/mcp', docs_url: 'https://github.com/atlassian/atlassian-mcp-server', oauth: true }),
  remote({ id: 'stripe', name: 'Stripe', description: 'Manage payments, customers, and subscriptions (OAuth)', icon: 'credit-card', category: 'devops', url: 'https://mcp.stripe.com', docs_url: 'https://docs.stripe.com/mcp', oauth: true }),
  remote({ id: 'cloudflare', name: 'Cloudflare', description: 'Workers, bindings, and observability (OAuth)', icon: 'cloud', category: 'devops', url: 'https://bindings.mcp.cloudflare.com/mcp', docs_url: 'https://github.com/cloudflare/mcp-server-cloudflare', oauth: true }),
  remote({ id: 'supabase', name: 'Supabase', description: 'Database, auth, and storage management (OAuth)', icon: 'database', category: 'data', url: 'https://mcp.supabase.com/mcp', docs_url: 'https://supabase.com/docs/guides/getting-started/mcp', oauth: true }),
  remote({ id: 'vercel', name: 'Vercel', description: 'Projects, deployments, and docs (OAuth)', icon: 'triangle', category: 'devops', url: 'https://mcp.vercel.com', docs_url: 'https://vercel.com/docs/mcp/vercel-mcp', oauth: true }),
  remote({ id: 'gitlab', name: 'GitLab', description: 'Repos, merge requests, and CI pipelines (OAuth)', icon: 'git-merge', category: 'dev', url: 'https://gitlab.com/api/v4/mcp', docs_url: 'https://docs.gitlab.com/user/gitlab_duo/model_context_protocol/', oauth: true }),
  remote({ id: 'figma', name: 'Figma', description: 'Inspect designs and Dev Mode layouts (OAuth)', icon: 'figma', category: 'dev', url: 'https://mcp.figma.com/mcp', docs_url: 'https://developers.figma.com/docs/figma-mcp-server/', oauth: true }),

  // Local, npm and PyPI packages
  npx('@playwright/mcp', '@playwright/mcp@latest', { id: 'playwright', name: 'Playwright', description: 'Browser automation via accessibility snapshots (by Microsoft)', icon: 'monitor', category: 'dev', docs_url: 'https://github.com/microsoft/playwright-mcp' }),
  npx('@upstash/context7-mcp', '@upstash/context7-mcp@latest', { id: 'context7', name: 'Context7', description: 'Up-to-date library docs and code examples for LLMs', icon: 'book-copy', category: 'dev', docs_url: 'https://github.com/upstash/context7' }),
  npx('@shopify/dev-mcp', '@shopify/dev-mcp@latest', { id: 'shopify', name: 'Shopify Dev', description: 'Search Shopify docs, explore API schemas, build Functions', icon: 'shopping-bag', category: 'dev', docs_url: 'https://shopify.dev/docs/apps/build/devmcp' }),
  npx('mcp-linear', 'mcp-linear', { id: 'linear', name: 'Linear', description: 'Manage issues, projects, and teams in Linear', icon: 'layout-list', category: 'dev', env_keys: [{ key: 'LINEAR_API_KEY', label: 'API Key', placeholder: 'lin_api_...' }] }),
  npx('@sentry/mcp-server', '@sentry/mcp-server', { id: 'sentry', name: 'Sentry', description: 'Query issues, events, and releases from Sentry', icon: 'bug', category: 'devops', docs_url: 'https://github.com/getsentry/sentry-mcp', env_keys: [{ key: 'SENTRY_ACCESS_TOKEN', label: 'Access Token', placeholder: 'sntrys_...' }] }),
  npx('mongodb-mcp-server', 'mongodb-mcp-server@latest', { id: 'mongodb', name: 'MongoDB', description: 'Query and manage MongoDB databases and Atlas clusters', icon: 'database', category: 'data', docs_url: 'https://github.com/mongodb-js/mongodb-mcp-server', env_keys: [{ key: 'MDB_MCP_CONNECTION_STRING', label: 'Connection String', placeholder: 'mongodb+srv://user:pass@cluster...' }] }),
  npx('@brave/brave-search-mcp-server', '@brave/brave-search-mcp-server', { id: 'brave-search', name: 'Brave Search', description: 'Web and local search powered by the Brave Search API', icon: 'search', category: 'search', docs_url: 'https://github.com/anthropics/brave-search-mcp-server', env_keys: [{ key: 'BRAVE_API_KEY', label: 'API Key', placeholder: 'BSA...' }] }),
  npx('exa-mcp-server', 'exa-mcp-server', { id: 'exa-search', name: 'Exa Search', description: 'Neural web search, code context, and company research', icon: 'radar', category: 'search', docs_url: 'https://github.com/exa-labs/exa-mcp-server', env_keys: [{ key: 'EXA_API_KEY', label: 'API Key', placeholder: 'exa-...' }] }),
  npx('@googlemaps/code-assist-mcp', '@googlemaps/code-assist-mcp@latest', { id: 'google-maps', name: 'Google Maps', description: 'Geocoding, places, directions, and distance matrix', icon: 'map-pin', category: 'search', docs_url: 'https://developers.google.com/maps/ai/mcp', env_keys: [{ key: 'GOOGLE_MAPS_API_KEY', label: 'API Key', placeholder: 'AIzaSy...' }] }),
  uvx('mcp-server-fetch', 'mcp-server-fetch', { id: 'fetch', name: 'Web Fetch', description: 'Fetch and convert web pages to markdown for LLM consumption', icon: 'globe', category: 'search', docs_url: MCP_SERVERS_DOCS }),
  npx('@modelcontextprotocol/server-slack', '@modelcontextprotocol/server-slack', { id: 'slack', name: 'Slack', description: 'Read channels, post messages, and manage workspaces', icon: 'hash', category: 'productivity', docs_url: MCP_SERVERS_DOCS, env_keys: [{ key: 'SLACK_BOT_TOKEN', label: 'Bot Token', placeholder: 'xoxb-...' }, { key: 'SLACK_TEAM_ID', label: 'Team ID', placeholder: 'T0123456789' }] }),
  npx('@roychri/mcp-server-asana', '@roychri/mcp-server-asana', { id: 'asana', name: 'Asana', description: 'Manage tasks, projects, and workspaces in Asana', icon: 'check-square', category: 'productivity', docs_url: 'https://github.com/roychri/mcp-server-asana', env_keys: [{ key: 'ASANA_ACCESS_TOKEN', label: 'Personal Access Token', placeholder: '1/1234567890:abcdef...' }] }),
  npx('@modelcontextprotocol/server-memory', '@modelcontextprotocol/server-memory', { id: 'memory', name: 'Memory (KG)', description: 'Persistent knowledge graph memory for conversations', icon: 'brain', category: 'ai', docs_url: MCP_SERVERS_DOCS }),
  npx('@modelcontextprotocol/server-sequential-thinking', '@modelcontextprotocol/server-sequential-thinking', { id: 'sequential-thinking', name: 'Thinking', description: 'Step-by-step sequential thinking for complex reasoning', icon: 'lightbulb', category: 'ai', docs_url: MCP_SERVERS_DOCS }),
  npx('@modelcontextprotocol/server-filesystem', '@modelcontextprotocol/server-filesystem', { id: 'filesystem', name: 'Filesystem', description: 'Read, write, and manage files in allowed directories', icon: 'folder', category: 'data', docs_url: MCP_SERVERS_DOCS, needs_args: true }),
  npx('@modelcontextprotocol/server-postgres', '@modelcontextprotocol/server-postgres', { id: 'postgres', name: 'PostgreSQL', description: 'Query and inspect PostgreSQL databases', icon: 'database', category: 'data', docs_url: MCP_SERVERS_DOCS, needs_args: true }),
  npx('@modelcontextprotocol/server-sqlite', '@modelcontextprotocol/server-sqlite', { id: 'sqlite', name: 'SQLite', description: 'Query and manage SQLite databases', icon: 'database', category: 'data', docs_url: MCP_SERVERS_DOCS, needs_args: true }),
  uvx('mcp-server-git', 'mcp-server-git', { id: 'git', name: 'Git', description: 'Read, search, and inspect local Git repositories', icon: 'git-branch', category: 'data', docs_url: MCP_SERVERS_DOCS }),
  npx('tavily-mcp', 'tavily-mcp@latest', { id: 'tavily-search', name: 'Tavily Search', description: 'AI-optimized search engine with web and news search', icon: 'search', category: 'search', docs_url: 'https://github.com/tavily-ai/tavily-mcp', env_keys: [{ key: 'TAVILY_API_KEY', label: 'API Key', placeholder: 'tvly-...' }] }),
  npx('firecrawl-mcp', 'firecrawl-mcp', { id: 'firecrawl', name: 'Firecrawl', description: 'Web scraping and crawling with structured data extraction', icon: 'flame', category: 'search', docs_url: 'https://github.com/mendableai/firecrawl-mcp-server', env_keys: [{ key: 'FIRECRAWL_API_KEY', label: 'API Key', placeholder: 'fc-...' }] }),
  npx('@perplexity-ai/mcp-server', '@perplexity-ai/mcp-server', { id: 'perplexity', name: 'Perplexity', description: 'AI-powered search with citations and real-time information', icon: 'sparkles', category: 'search', docs_url: 'https://docs.perplexity.ai/guides/mcp-server', env_keys: [{ key: 'PERPLEXITY_API_KEY', label: 'API Key', placeholder: 'pplx-...' }] }),
  uvx('mcp-server-time', 'mcp-server-time', { id: 'time', name: 'Time', description: 'Get current time and timezone conversions', icon: 'clock', category: 'productivity', docs_url: MCP_SERVERS_DOCS }),
  npx('@neondatabase/mcp-server-neon', '@neondatabase/mcp-server-neon', { id: 'neon-postgres', name: 'Neon Postgres', description: 'Manage Neon serverless Postgres databases and branches', icon: 'database', category: 'data', docs_url: 'https://github.com/neondatabase/mcp-server-neon', needs_args: true, env_keys: [{ key: 'NEON_API_KEY', label: 'API Key', placeholder: 'neon_...' }] }),
  npx('@upstash/mcp-server', '@upstash/mcp-server@latest', { id: 'upstash-redis', name: 'Upstash Redis', description: 'Manage Upstash Redis databases and key-value operations', icon: 'database', category: 'data', docs_url: 'https://github.com/upstash/mcp-server', env_keys: [{ key: 'UPSTASH_EMAIL', label: 'Email', placeholder: 'user@example.com', secret: false }, { key: 'UPSTASH_API_KEY', label: 'API Key', placeholder: '...' }] }),
  npx('@netlify/mcp', '@netlify/mcp', { id: 'netlify', name: 'Netlify', description: 'Deploy sites and manage Netlify projects via CLI auth', icon: 'globe', category: 'devops', docs_url: 'https://github.com/netlify/mcp' }),
  npx('@cloudflare/mcp-server-cloudflare', '@cloudflare/mcp-server-cloudflare', { id: 'cloudflare-stdio', name: 'Cloudflare CLI', description: 'Manage Workers, KV, R2, and D1 via Cloudflare CLI', icon: 'cloud', category: 'devops', docs_url: 'https://github.com/cloudflare/mcp-server-cloudflare', env_keys: [{ key: 'CLOUDFLARE_API_TOKEN', label: 'API Token', placeholder: '...' }, { key: 'CLOUDFLARE_ACCOUNT_ID', label: 'Account ID', placeholder: '...', secret: false }] }),
  npx('@google-cloud/gcloud-mcp', '@google-cloud/gcloud-mcp', { id: 'gcloud', name: 'Google Cloud', description: 'Manage GCP resources via gcloud CLI authentication', icon: 'cloud', category: 'devops', docs_url: 'https://github.com/GoogleCloudPlatform/google-cloud-mcp' }),
  npx('@docker/mcp-server-docker', '@docker/mcp-server-docker', { id: 'docker', name: 'Docker', description: 'Manage containers, images, volumes, and networks', icon: 'box', category: 'devops', docs_url: 'https://github.com/docker/mcp-server-docker' }),
  npx('@circleci/mcp-server-circleci', '@circleci/mcp-server-circleci', { id: 'circleci', name: 'CircleCI', description: 'Manage pipelines, workflows, and build insights', icon: 'circle', category: 'devops', docs_url: 'https://github.com/CircleCI-Public/mcp-server-circleci', env_keys: [{ key: 'CIRCLECI_TOKEN', label: 'API Token', placeholder: 'CCIPAT_...' }] }),
  npx('kubernetes-mcp-server', 'kubernetes-mcp-server@latest', { id: 'kubernetes', name: 'Kubernetes', description: 'Manage pods, deployments, services, and cluster resources', icon: 'server', category: 'devops', docs_url: 'https://github.com/containers/kubernetes-mcp-server' }),
  npx('@pulumi/mcp-server', '@pulumi/mcp-server', { id: 'pulumi', name: 'Pulumi', description: 'Infrastructure as code with Pulumi Cloud integration', icon: 'layers', category: 'devops', docs_url: 'https://www.pulumi.com/docs/iac/guides/ai-integration/mcp-server/', env_keys: [{ key: 'PULUMI_ACCESS_TOKEN', label: 'Access Token', placeholder: 'pul-...' }] }),
  uvx('awslabs.core-mcp-server', 'awslabs.core-mcp-server@latest', { id: 'aws', name: 'AWS', description: 'Manage AWS resources, CDK, and read AWS documentation', icon: 'cloud', category: 'devops', docs_url: 'https://github.com/awslabs/mcp' }),
  npx('@coinbase/payments-mcp', '@coinbase/payments-mcp', { id: 'coinbase', name: 'Coinbase', description: 'Crypto payments, transfers, and wallet management', icon: 'coins', category: 'finance', docs_url: 'https://github.com/coinbase/payments-mcp' }),
  npx('@canva/cli', '@canva/cli@latest', { id: 'canva-dev', name: 'Canva Dev', description: 'Search Canva developer docs and build Canva apps', icon: 'palette', category: 'design', docs_url: 'https://www.canva.dev/docs/apps/mcp-server/' }, ['mcp']),
  // Hosted and unauthenticated; PocketPaw's /sites grant matches the id, so it must not change.
  remote({ id: 'inspo', name: 'Inspo', description: 'Real shipped websites as design reference — palettes, type, page structure', icon: 'layout-template', category: 'design', url: 'https://inspomcp.dev/api/mcp', docs_url: 'https://github.com/Nutlope/inspo' }),
  npx('@twilio-alpha/mcp', '@twilio-alpha/mcp', { id: 'twilio', name: 'Twilio', description: 'SMS, voice, and 1400+ communication APIs', icon: 'phone', category: 'communication', docs_url: 'https://github.com/twilio-labs/mcp', env_keys: [{ key: 'TWILIO_ACCOUNT_SID', label: 'Account SID', placeholder: 'AC...', secret: false }, { key: 'TWILIO_API_KEY', label: 'API Key', placeholder: 'SK...' }, { key: 'TWILIO_API_SECRET', label: 'API Secret', placeholder: '...' }] }),
  npx('resend-mcp', 'resend-mcp', { id: 'resend', name: 'Resend', description: 'Send emails, manage contacts, domains, and broadcasts', icon: 'mail', category: 'communication', docs_url: 'https://github.com/resend/resend-mcp', env_keys: [{ key: 'RESEND_API_KEY', label: 'API Key', placeholder: 're_...' }] }),
  remote({ id: 'intercom', name: 'Intercom', description: 'Customer conversations, help center, and ticket management (OAuth)', icon: 'message-circle', category: 'communication', url: 'https://mcp.intercom.com/mcp', docs_url: 'https://developers.intercom.com/docs/guides/mcp', oauth: true }),
  remote({ id: 'posthog', name: 'PostHog', description: 'Product analytics, feature flags, and error tracking (OAuth)', icon: 'bar-chart-3', category: 'analytics', url: 'https://mcp.posthog.com/mcp', docs_url: 'https://posthog.com/docs/model-context-protocol', oauth: true }),
  remote({ id: 'amplitude', name: 'Amplitude', description: 'Product analytics, cohorts, and behavioral insights (OAuth)', icon: 'activity', category: 'analytics', url: 'https://mcp.amplitude.com/mcp', docs_url: 'https://amplitude.com/docs/amplitude-ai/amplitude-mcp', oauth: true }),
  remote({ id: 'sanity', name: 'Sanity', description: 'Structured content platform with 40+ management tools (OAuth)', icon: 'file-text', category: 'cms', url: 'https://mcp.sanity.io', docs_url: 'https://www.sanity.io/docs/compute-and-ai/mcp-server', oauth: true }),
  npx('@contentful/mcp-server', '@contentful/mcp-server', { id: 'contentful', name: 'Contentful', description: 'Headless CMS — manage content types, entries, and assets', icon: 'layout', category: 'cms', docs_url: 'https://github.com/contentful/contentful-mcp-server', env_keys: [{ key: 'CONTENTFUL_MANAGEMENT_ACCESS_TOKEN', label: 'Management Token', placeholder: 'CFPAT-...' }, { key: 'SPACE_ID', label: 'Space ID', placeholder: 'abc123...', secret: false }, { key: 'ENVIRONMENT_ID', label: 'Environment ID', placeholder: 'master', secret: false, required: false }] }),
  npx('@hubspot/mcp-server', '@hubspot/mcp-server', { id: 'hubspot', name: 'HubSpot', description: 'CRM contacts, deals, tickets, and marketing tools', icon: 'target', category: 'marketing', docs_url: 'https://developers.hubspot.com/mcp', env_keys: [{ key: 'PRIVATE_APP_ACCESS_TOKEN', label: 'Private App Token', placeholder: 'pat-...' }] }),
  uvx('mcp-grafana', 'mcp-grafana', { id: 'grafana', name: 'Grafana', description: 'Dashboards, alerting, and observability queries', icon: 'gauge', category: 'monitoring', docs_url: 'https://github.com/grafana/mcp-grafana', env_keys: [{ key: 'GRAFANA_URL', label: 'Grafana URL', placeholder: 'https://grafana.example.com', secret: false }, { key: 'GRAFANA_SERVICE_ACCOUNT_TOKEN', label: 'Service Account Token', placeholder: 'glsa_...' }] }),
  uvx('pagerduty-mcp', 'pagerduty-mcp', { id: 'pagerduty', name: 'PagerDuty', description: 'Incidents, on-call schedules, and alert management', icon: 'bell-ring', category: 'monitoring', docs_url: 'https://github.com/PagerDuty/pagerduty-mcp-server', env_keys: [{ key: 'PAGERDUTY_USER_API_KEY', label: 'User API Key', placeholder: 'u+...' }] }),
  npx('@auth0/auth0-mcp-server', '@auth0/auth0-mcp-server', { id: 'auth0', name: 'Auth0', description: 'Identity management — apps, users, roles, and logs', icon: 'shield', category: 'security', docs_url: 'https://github.com/auth0/auth0-mcp-server' }),
  remote({ id: 'huggingface', name: 'Hugging Face', description: 'Search models, datasets, Spaces, and run Gradio apps (OAuth)', icon: 'cpu', category: 'ai', url: 'https://huggingface.co/mcp', docs_url: 'https://huggingface.co/docs/hub/en/hf-mcp-server', oauth: true }),
  // A program the owner installs (the `gws` CLI), not fetched by a package runner.
  preset({ id: 'google-workspace', name: 'Google Workspace', description: 'Drive, Gmail, Calendar, Sheets, Docs, Chat, and Admin via gws CLI', icon: 'briefcase', category: 'productivity', package: '@googleworkspace/cli', command: 'gws', args: ['mcp'], docs_url: 'https://github.com/googleworkspace/cli' }),
];
