import { Component, Fragment, type JSX } from 'preact';
import { useLayoutEffect, useRef, useState } from 'preact/hooks';
import { enhance, escapeRegExp, highlightText, renderMarkdown } from '../markdown';
import { chat, type ChatMessage, type ToolPart } from '../state/stores';
import { turns } from '../state/turn';
import { openSettings } from '../state/ui';
import { useStore } from '../store';
import { IconAlert, IconTool, PawLogo } from './icons';
import { AnswerActions, ContinueButton, EditMessage, focusComposerAfter, UserActions } from './MessageActions';
import { AttachmentList } from './AttachmentList';
import './Message.css';
import './Markdown.css';
import './ToolStep.css';

/** Sanitized Markdown. Re-parsed only when its text changes (once per frame while streaming). */
function Markdown({ text, highlight }: { text: string; highlight: string | null }) {
  const ref = useRef<HTMLDivElement>(null);
  useLayoutEffect(() => {
    const el = ref.current;
    if (!el) return;
    el.innerHTML = renderMarkdown(text);
    enhance(el);
    if (highlight) highlightText(el, highlight);
  }, [text, highlight]);

  // Code blocks' Copy buttons handle their own clicks (markdown.ts `enhance`).
  return <div class="md" ref={ref} />;
}

/** Plain text with the search hits marked: for user messages, which are never Markdown. */
export function Highlighted({ text, q }: { text: string; q: string | null }) {
  if (!q) return <Fragment>{text}</Fragment>;
  const re = new RegExp(escapeRegExp(q), 'giu');
  const out: (string | JSX.Element)[] = [];
  let last = 0;
  let n = 0;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    if (m[0] === '') break;
    out.push(text.slice(last, m.index));
    out.push(<mark key={n++} class="find-hit">{m[0]}</mark>);
    last = m.index + m[0].length;
  }
  out.push(text.slice(last));
  return <Fragment>{out}</Fragment>;
}

function paramsText(params: unknown): string {
  if (params === undefined || params === null) return '';
  if (typeof params === 'string') return params;
  const s = JSON.stringify(params, null, 2);
  return s === '{}' ? '' : s;
}

const FILE_TOOLS = new Set(['read_file', 'write_file', 'edit_file', 'list_dir']);

/** Characters of the one-line summary; the full arguments are in the body. */
const SUMMARY_CHARS = 300;

/** What the step did, in one line: the shell command, the file's path, else the arguments as short JSON. */
function stepSubject(name: string, params: unknown): string {
  if (params === undefined || params === null) return '';
  if (typeof params === 'string') return params;
  const args = params as Record<string, unknown>;
  if (name === 'shell' && typeof args.command === 'string') return args.command;
  if (FILE_TOOLS.has(name) && typeof args.path === 'string') return args.path;
  const s = JSON.stringify(params);
  return s === '{}' || s === undefined ? '' : s;
}

/** An MCP tool's own name: the agent sees `mcp__<server>__<tool>`, the owner the tool's name beside its server. */
export function mcpToolLabel(name: string, server: string): string {
  const prefix = `mcp__${server.replace(/[^a-zA-Z0-9_-]/g, '_')}__`;
  return name.startsWith(prefix) && name.length > prefix.length ? name.slice(prefix.length) : name;
}

function ToolStep({ part }: { part: ToolPart }) {
  const command = part.name === 'shell' && part.params && typeof (part.params as { command?: unknown }).command === 'string' ? (part.params as { command: string }).command : null;
  const params = command ?? paramsText(part.params);
  const subject = stepSubject(part.name, part.params);
  const line = subject.replace(/\s+/g, ' ').trim();
  const status = part.status === 'running' ? 'Running…' : part.status === 'error' ? 'Failed' : 'Done';
  const took = part.status !== 'running' && part.durationMs !== undefined ? duration(part.durationMs) : null;
  return (
    <details class={`tool tool-${part.status}`}>
      <summary>
        <span class="tool-icon" aria-hidden="true">
          {part.status === 'running' ? <span class="spinner" /> : <IconTool />}
        </span>
        {part.server ? (
          <span class="tool-mcp" title={`${part.name}: a tool of the MCP server ${part.server}`}>
            <span class="tool-server">{part.server}</span>
            <span aria-hidden="true"> · </span>
            <code class="tool-name">{mcpToolLabel(part.name, part.server)}</code>
          </span>
        ) : (
          <code class="tool-name">{part.name}</code>
        )}
        {line ? (
          <code class="tool-arg" title={subject.slice(0, 2000)}>
            {line.length > SUMMARY_CHARS ? `${line.slice(0, SUMMARY_CHARS)}…` : line}
          </code>
        ) : null}
        <span class="tool-status">{status}</span>
        {took ? <span class="tool-duration">{took}</span> : null}
      </summary>
      <div class="tool-body">
        {params ? (
          <Fragment>
            <div class="tool-label">{command !== null ? 'Command' : 'Input'}</div>
            <pre>{params}</pre>
          </Fragment>
        ) : null}
        {part.result !== undefined ? (
          <Fragment>
            <div class="tool-label">Result</div>
            <pre>{part.result || '(empty)'}</pre>
          </Fragment>
        ) : null}
      </div>
    </details>
  );
}

/** A step's duration, short: "320 ms", "2.4 s", "1 min 5 s". */
export function duration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(ms < 10_000 ? 1 : 0)} s`;
  const s = Math.round(ms / 1000);
  return `${Math.floor(s / 60)} min ${s % 60} s`;
}

/** "Try again": a new answer in place of the failed one (spec §4.7 `regenerate`), never a second copy of the question. */
function TryAgain({ m }: { m: ChatMessage }) {
  const busy = useStore(chat, (c) => c.streaming || c.loading);
  return (
    <button type="button" class="btn btn-small" disabled={busy} onClick={() => focusComposerAfter(turns.regenerate(m))}>
      Try again
    </button>
  );
}

function ErrorCallout({ text, failure, m }: { text: string; failure: boolean; m: ChatMessage }) {
  const readOnly = useStore(chat, (c) => c.readOnly);
  const aboutSetup = /key|settings|model|provider|configured|401|403|reach/i.test(text);
  return (
    <div class="callout callout-error" role="alert">
      <span class="callout-icon">
        <IconAlert />
      </span>
      <div class="callout-body">
        <p class="callout-title">{failure ? 'Something went wrong' : 'The answer could not be completed'}</p>
        <p class="callout-text">{text}</p>
        <div class="callout-actions">
          {readOnly ? null : <TryAgain m={m} />}
          {aboutSetup ? (
            <button type="button" class="btn btn-small btn-ghost" onClick={() => openSettings()}>
              Open settings
            </button>
          ) : null}
        </div>
      </div>
    </div>
  );
}

function SetupCard({ text }: { text: string }) {
  return (
    <div class="callout callout-setup" role="note">
      <span class="callout-icon">
        <IconAlert />
      </span>
      <div class="callout-body">
        <p class="callout-title">No model is set up yet</p>
        <Markdown text={text} highlight={null} />
        <div class="callout-actions">
          <button type="button" class="btn btn-small btn-primary" onClick={() => openSettings()}>
            Open settings
          </button>
        </div>
      </div>
    </div>
  );
}

interface Props {
  m: ChatMessage;
  highlight: string | null;
}

/** A sent message: its bubble, or the editor in its place; its actions below. */
function UserMessage({ m, highlight }: Props) {
  const [editing, setEditing] = useState(false);
  const editBtn = useRef<HTMLDivElement>(null);
  const text = m.parts.map((p) => (p.type === 'text' ? p.text : '')).join('');
  const stopEditing = (sent: boolean) => {
    setEditing(false);
    // Cancelled: back to the Edit button the editor came from; sent: to the composer, as after sending.
    requestAnimationFrame(() => {
      const to = sent ? document.getElementById('composer-input') : editBtn.current?.querySelector<HTMLButtonElement>('button[aria-label="Edit message"]');
      to?.focus({ preventScroll: true });
    });
  };
  return (
    <article class="msg msg-user" aria-label="You" data-key={m.key}>
      <div class="msg-user-col" ref={editBtn}>
        {editing ? (
          <EditMessage m={m} onDone={stopEditing} />
        ) : (
          <Fragment>
            <AttachmentList items={m.attachments} />
            <div class="bubble">
              <Highlighted text={text} q={highlight} />
            </div>
            <UserActions m={m} onEdit={() => setEditing(true)} />
          </Fragment>
        )}
      </div>
    </article>
  );
}

/** One message. Pure: only the streaming one re-renders while an answer comes in. */
export class MessageView extends Component<Props> {
  override shouldComponentUpdate(next: Props): boolean {
    return next.m !== this.props.m || next.highlight !== this.props.highlight;
  }

  override render({ m, highlight }: Props) {
    if (m.role === 'user') return <UserMessage m={m} highlight={highlight} />;
    const streaming = m.status === 'streaming';
    const fullText = m.parts.map((p) => (p.type === 'text' ? p.text : '')).join('');
    let body: JSX.Element[];
    if (m.kind === 'setup') {
      body = [<SetupCard key="setup" text={fullText} />];
    } else if (m.kind === 'failure') {
      body = [<ErrorCallout key="fail" text={fullText} failure m={m} />];
    } else {
      body = m.parts.map((p, i) => {
        if (p.type === 'text') return <Markdown key={i} text={p.text} highlight={highlight} />;
        if (p.type === 'tool') return <ToolStep key={`t${p.id}`} part={p} />;
        return (
          <details key={i} class="thinking" open={!p.done}>
            <summary>{p.done ? 'Reasoning' : 'Thinking…'}</summary>
            <div class="thinking-text">{p.text}</div>
          </details>
        );
      });
      if (m.error) body.push(<ErrorCallout key="err" text={m.error} failure={false} m={m} />);
    }
    const waiting = streaming && m.parts.length === 0 && !m.error;
    return (
      <article
        class={`msg msg-assistant${m.kind === 'notice' ? ' msg-notice' : ''}${streaming ? ' streaming' : ''}`}
        aria-label="PocketPaw"
        aria-busy={streaming ? 'true' : undefined}
        data-key={m.key}
        data-status={m.status}
      >
        <div class="avatar" aria-hidden="true">
          <PawLogo size={26} />
        </div>
        <div class="msg-body">
          {waiting ? (
            <div class="typing" role="status" aria-label="PocketPaw is thinking">
              <span />
              <span />
              <span />
            </div>
          ) : null}
          {body}
          {streaming && !waiting && m.parts[m.parts.length - 1]?.type !== 'text' ? <span class="cursor-line" aria-hidden="true" /> : null}
          {m.status === 'stopped' ? (
            <div class="msg-stopped">
              <p class="msg-status">Stopped{fullText ? '' : ' before any answer'}</p>
              <ContinueButton m={m} />
            </div>
          ) : null}
          <AnswerActions m={m} />
          {!streaming && m.status === 'done' && !m.kind && !fullText && !m.error && !m.parts.length ? (
            <p class="msg-status">No answer.</p>
          ) : null}
        </div>
      </article>
    );
  }
}
