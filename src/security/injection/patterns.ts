/**
 * Heuristics of the prompt-injection scanner (spec §6.2). Each rule names a category (PocketPaw's
 * names where it has one, so the `patterns` list of a blocked message reads the same) and a risk
 * level. Rules run over a normalised copy of the text (see scanner.ts), case-insensitively.
 *
 * Tuned against false positives: a user talking to their own agent says "ignore my previous
 * message", "act as a translator", "the system: …", "curl this API for me" — none of those
 * match. What matches is text that tries to take control of the model: overriding *its*
 * instructions, replacing its persona with an unrestricted one, forging chat-template tokens or
 * system turns, shipping secrets to an address, jailbreak incantations, and telling it to run
 * destructive or remote code.
 */

export type RiskLevel = 'none' | 'low' | 'medium' | 'high';

export const RISK_ORDER: Record<RiskLevel, number> = { none: 0, low: 1, medium: 2, high: 3 };

export type InjectionCategory =
  | 'instruction_override'
  | 'persona_hijack'
  | 'delimiter_attack'
  | 'fake_system_message'
  | 'data_exfil'
  | 'jailbreak'
  | 'tool_abuse'
  | 'indirect_injection';

export interface InjectionRule {
  /** Stable id for tests and logs. */
  id: string;
  category: InjectionCategory;
  level: Exclude<RiskLevel, 'none'>;
  re: RegExp;
}

// Building blocks (non-capturing, bounded so no rule can backtrack badly on 100k characters).
const PRIOR = '(?:previous|prior|above|earlier|preceding|foregoing|former|original|initial|system|developer)';
const RULES_NOUN = '(?:instructions?|prompts?|rules|directives?|guidelines|guardrails|programming)';
const SECRET_NOUN = '(?:system\\s+prompt|api[\\s_-]?keys?|secret\\s+keys?|secrets|access\\s+tokens?|auth(?:entication)?\\s+tokens?|tokens|passwords?|credentials|private\\s+keys?|ssh\\s+keys?|\\.env\\b|env(?:ironment)?\\s+var(?:iable)?s|session\\s+cookies|cookies|conversation\\s+history|chat\\s+history)';
/** Whose secrets: the agent's or the user's, not "my" (a user handling their own key). */
const SECRET_OWNER = '(?:your|all(?:\\s+of)?(?:\\s+(?:your|the))?|any|every|the\\s+(?:user|owner)\'?s?|the\\s+contents?\\s+of(?:\\s+(?:your|the))?|(?:his|her|their))';
const SECRETS = `${SECRET_OWNER}\\s+(?:[\\w-]+\\s+){0,3}?${SECRET_NOUN}`;
const URL_DESTINATION = '(?:https?:\\/\\/|ftp:\\/\\/|(?:a|an|the|this|that|my|our)\\s+(?:web\\s*hook|endpoint|url|server|pastebin)|web\\s*hooks?\\b|pastebin|requestbin|ngrok|webhook\\.site)';
const EMAIL_DESTINATION = '[\\w.+-]+@[\\w-]+\\.[\\w.]+';
const SHELL = '(?:sudo\\s+)?(?:ba|z|k|da|fi)?sh\\b';
/** An imperative at the start of a clause ("… and run x", "Run x"), not "is it safe to run x?". */
const IMPERATIVE = '(?:^|[\\n.!;:>`"\'(]\\s*|\\b(?:and|then|now|please|just|also|immediately|first)\\s+)(?:run|execute|exec|launch|invoke|type|paste)\\b';

const rule = (id: string, category: InjectionCategory, level: InjectionRule['level'], source: string): InjectionRule =>
  ({ id, category, level, re: new RegExp(source, 'i') });

export const INJECTION_RULES: readonly InjectionRule[] = [
  // ---- instruction overrides ----
  // "ignore (all) (of) (the|your) previous instructions" — not "ignore my previous message".
  rule('override.ignore_prior', 'instruction_override', 'high',
    `\\b(?:ignore|disregard|forget|override|overrule)\\s+(?:(?:all|any|every|each)\\s+)?(?:(?:of|about)\\s+)?(?:(?:the|your|these|those|its)\\s+)?(?:(?:all|any)\\s+)?${PRIOR}\\s+${RULES_NOUN}`),
  // "ignore your instructions / rules / programming"
  rule('override.ignore_yours', 'instruction_override', 'high',
    `\\b(?:ignore|disregard|forget|override|overrule|bypass)\\s+(?:(?:all|any)\\s+(?:of\\s+)?)?your\\s+(?:(?:own|current|core|safety|original)\\s+)?${RULES_NOUN}`),
  // "forget everything you were told / everything above"
  rule('override.forget_everything', 'instruction_override', 'high',
    '\\b(?:forget|ignore|disregard)\\s+(?:everything|all(?:\\s+that)?)\\s+(?:you\\s+(?:were|have\\s+been|\'ve\\s+been)\\s+(?:told|taught|instructed|given)|(?:(?:written|said|stated)\\s+)?(?:above|before\\s+this|previously|so\\s+far)|in\\s+your\\s+(?:system\\s+)?prompt)'),
  // The same in a few other languages (CJK included).
  rule('override.multilingual', 'instruction_override', 'high',
    '(?:忽略|无视|無視|忘记|忘記|忽視)(?:掉)?(?:你)?(?:之前|以上|先前|前面|上面|所有|全部)(?:的)?(?:所有)?(?:的)?(?:指令|指示|说明|說明|规则|規則|提示)|(?:前|以前|上記|これまで)の(?:すべての)?(?:指示|命令|ルール)を(?:すべて)?(?:無視|忘れ)|ignor(?:ez|e|er)\\s+(?:toutes\\s+)?(?:les\\s+)?instructions\\s+(?:pr[ée]c[ée]dentes|ant[ée]rieures)|ignora\\s+(?:todas\\s+)?las\\s+instrucciones\\s+(?:anteriores|previas)|ignoriere\\s+(?:alle\\s+)?(?:vorherigen|bisherigen|obigen)\\s+(?:Anweisungen|Instruktionen|Regeln)'),
  rule('override.new_instructions', 'instruction_override', 'medium',
    '(?:^|[\\n.!?]\\s*|\\byour\\s+)(?:new|updated|real|actual|revised|true)\\s+(?:system\\s+)?(?:instructions?|directives?)\\s*(?:are|is)?\\s*:'),
  rule('override.instead_of_task', 'instruction_override', 'medium',
    '\\b(?:instead\\s+of\\s+(?:summari[sz]ing|translating|answering|following)|rather\\s+than\\s+(?:summari[sz]ing|translating|answering))\\b.{0,80}\\b(?:you\\s+(?:must|should|will)|do\\s+(?:the\\s+)?following)'),

  // ---- persona hijacks ----
  rule('persona.unrestricted', 'persona_hijack', 'high',
    '\\byou\\s+(?:are\\s+now|will\\s+(?:now\\s+)?be|shall\\s+(?:now\\s+)?be|are\\s+going\\s+to\\s+be|must\\s+now\\s+be)\\s+(?:DAN\\b|an?\\s+(?:unrestricted|unfiltered|uncensored|unaligned|jailbroken|evil|amoral|unbound)\\b)|\\byou\\s+are\\s+an?\\s+(?:unrestricted|unfiltered|uncensored|jailbroken)\\s+(?:AI|assistant|model|chatbot|bot)\\b'),
  rule('persona.no_rules', 'persona_hijack', 'high',
    '\\b(?:pretend|imagine|act\\s+as\\s+(?:if|though)|assume|behave\\s+as\\s+(?:if|though))\\s+(?:that\\s+)?you\\s+(?:are|were|have|had)\\s+(?:(?:no|zero)\\s+|not\\s+bound\\s+by\\s+(?:any\\s+)?|free\\s+(?:of|from)\\s+(?:all\\s+|any\\s+)?|without\\s+(?:any\\s+)?)(?:\\w+\\s+){0,2}?(?:restrictions|rules|limits|limitations|filters|guidelines|guardrails|censorship|policies|ethics|morals)'),
  rule('persona.no_longer', 'persona_hijack', 'high',
    '\\byou\\s+(?:are\\s+)?no\\s+longer\\s+(?:bound\\s+by|(?:an?\\s+)?(?:AI|assistant|language\\s+model)\\b|(?:restricted|limited|required\\s+to\\s+follow)\\b|subject\\s+to)'),
  rule('persona.you_are_now', 'persona_hijack', 'low',
    '\\byou\\s+are\\s+now\\s+(?:a|an|the)\\s+(?!(?:member|owner|part|user|admin|subscriber|participant|contributor|collaborator)\\b)\\w+'),

  // ---- chat-template delimiters and forged turns ----
  rule('delimiter.chat_tokens', 'delimiter_attack', 'high',
    '<\\|\\s*(?:im_start|im_end|im_sep|system|user|assistant|endoftext|eot_id|start_header_id|end_header_id|begin_of_text|end_of_text|eom_id)\\s*\\|>'),
  rule('delimiter.llama_inst', 'delimiter_attack', 'high', '\\[\\/?INST\\]|<<\\/?SYS>>'),
  rule('delimiter.fenced_role', 'delimiter_attack', 'high', '```[ \\t]*(?:system|assistant)[ \\t]*\\n'),
  rule('delimiter.role_tags', 'delimiter_attack', 'medium',
    '<\\/?\\s*(?:system_prompt|assistant_instructions|admin_instructions|developer_instructions)\\s*>|<(system|sys)>[\\s\\S]{0,2000}?<\\/\\1>|<start_of_turn>|<end_of_turn>'),
  rule('delimiter.human_assistant', 'delimiter_attack', 'medium', '\\n\\n(?:Human|Assistant):[ \\t]*\\S[^\\n]{0,400}\\n\\n(?:Human|Assistant):'),

  // "SYSTEM: you are…", "[system] ignore…", "### System override" at the start of a line.
  rule('fake_system.addressing_model', 'fake_system_message', 'high',
    '(?:^|\\n)[ \\t>*#_-]*[\\[(<{]?[ \\t]*(?:system|sys|admin|developer|root|openai|anthropic)[ \\t]*(?:message|prompt|notice|override|update|instruction|alert)?[ \\t]*[\\])>}]?[ \\t]*:\\s*(?:you\\s+(?:are|must|will|should|now)|your\\s+(?:new|real|actual|only)|ignore|disregard|override|forget|new\\s+instructions?|from\\s+now\\s+on)'),
  rule('fake_system.bracket_marker', 'fake_system_message', 'medium',
    '(?:^|\\n)[ \\t>*#_-]*[\\[(][ \\t]*(?:system|admin|developer)[ \\t]*(?:message|notice|override|update|instruction|prompt)?[ \\t]*[\\])]'),
  rule('fake_system.markdown_header', 'fake_system_message', 'medium',
    '(?:^|\\n)[ \\t]*#{1,6}[ \\t]*(?:new[ \\t]+)?(?:system|developer|admin)[ \\t]+(?:prompt|message|instructions?|override)\\b'),

  // ---- exfiltration ----
  rule('exfil.send_secrets', 'data_exfil', 'high',
    `\\b(?:send|post|upload|transmit|exfiltrate|forward|leak|submit|report|share|deliver)\\b[^\\n]{0,40}?${SECRETS}[^\\n]{0,80}?\\b(?:to|via|at|into|towards|on)\\s+${URL_DESTINATION}`),
  rule('exfil.send_secrets_email', 'data_exfil', 'high',
    `\\b(?:send|e-?mail|forward|leak|share|mail)\\b[^\\n]{0,40}?${SECRETS}[^\\n]{0,80}?\\bto\\s+${EMAIL_DESTINATION}`),
  // "the API key" may be a user's own question ("how do I post the API key to https://…"): wrapped, not blocked.
  rule('exfil.send_the_secrets', 'data_exfil', 'medium',
    `\\b(?:send|post|upload|transmit|exfiltrate|forward|leak|e-?mail)\\b[^\\n]{0,40}?\\bthe\\s+(?:[\\w-]+\\s+){0,3}?${SECRET_NOUN}[^\\n]{0,80}?\\b(?:to|via|into)\\s+(?:${URL_DESTINATION}|${EMAIL_DESTINATION})`),
  rule('exfil.secret_in_url', 'data_exfil', 'high',
    `\\b(?:curl|wget|fetch|visit|open|load|request|GET|POST)\\b[^\\n]{0,120}?https?:\\/\\/\\S{0,200}?[?&][\\w-]{1,30}=\\s*(?:\\{\\{?|\\$\\{?|%7B|<)\\s*(?:[\\w-]+\\s+){0,3}?${SECRET_NOUN}`),
  rule('exfil.reveal_prompt', 'data_exfil', 'medium',
    '\\b(?:reveal|print|show|output|repeat|leak|dump|display|disclose|recite)\\s+(?:me\\s+|us\\s+)?(?:all\\s+(?:of\\s+)?)?(?:your|the)\\s+(?:(?:full|entire|complete|exact|original|hidden|secret|initial|verbatim)\\s+){0,3}(?:system\\s+prompt|system\\s+message|(?:initial|original|hidden|secret)\\s+(?:instructions|prompt)|instructions\\s+(?:above|you\\s+were\\s+given))'),
  // Uploading key files or putting a secret variable into a URL; not a Bearer header of one's own call.
  rule('exfil.shell_secrets', 'data_exfil', 'medium',
    '\\b(?:curl|wget|nc|netcat|ncat)\\b[^\\n]{0,160}(?:@\\s*["\']?[~\\w./$-]*(?:\\.env\\b|id_rsa|id_ed25519|\\.ssh\\/|\\/etc\\/(?:passwd|shadow)|\\.aws\\/credentials)|[?&][\\w-]+=\\$\\{?\\w*(?:KEY|TOKEN|SECRET|PASSWORD)\\w*)|\\bcat\\s+[~\\w./-]*(?:\\.env\\b|id_rsa|id_ed25519|\\/etc\\/shadow|\\.aws\\/credentials)[^\\n|]{0,40}\\|\\s*(?:curl|nc|netcat|ncat)\\b'),
  rule('exfil.markdown_image', 'data_exfil', 'medium',
    '!\\[[^\\]]{0,100}\\]\\(\\s*https?:\\/\\/[^)\\s]{1,300}[?&][\\w-]{1,30}=(?:\\{|\\$|%7B|<)'),

  // ---- jailbreaks ----
  rule('jailbreak.dan', 'jailbreak', 'high', '\\bdo\\s+anything\\s+now\\b|\\bDAN\\s+(?:mode|prompt|jailbreak)\\b|\\bjailbr(?:eak|oken)\\s+mode\\b'),
  rule('jailbreak.dev_mode', 'jailbreak', 'high',
    '\\b(?:developer|god|admin|sudo|unrestricted|jailbreak)\\s+mode\\s+(?:is\\s+(?:now\\s+)?)?(?:enabled|activated|engaged|unlocked)\\b|\\benable\\s+(?:developer|god|unrestricted|jailbreak)\\s+mode\\b'),
  rule('jailbreak.bypass_safety', 'jailbreak', 'high',
    '\\b(?:bypass|disable|deactivate|ignore|turn\\s+off|switch\\s+off|circumvent|override)\\s+(?:all\\s+)?(?:of\\s+)?(?:your\\s+|the\\s+|any\\s+)?(?:safety|content|ethical|moral)\\s+(?:filters?|restrictions?|guardrails?|guidelines|protocols|policies|training)'),
  rule('jailbreak.no_ethics', 'jailbreak', 'medium',
    '\\b(?:without|free\\s+from)\\s+(?:any\\s+)?(?:moral|ethical)\\s+(?:restrictions|limits|constraints|boundaries|filters)'),

  // ---- tool abuse: making the agent run hostile commands ----
  rule('tool.pipe_to_shell_imperative', 'tool_abuse', 'high',
    `${IMPERATIVE}[^\\n]{0,40}?\\b(?:curl|wget|iwr|invoke-webrequest)\\b[^\\n|]{0,300}\\|\\s*${SHELL}`),
  rule('tool.pipe_to_shell', 'tool_abuse', 'medium', `\\b(?:curl|wget)\\b[^\\n|]{0,300}\\|\\s*${SHELL}`),
  rule('tool.destructive_imperative', 'tool_abuse', 'high',
    `${IMPERATIVE}[^\\n]{0,40}?(?:\\brm\\s+-(?:rf|fr|r\\s+-f)\\s+(?:--no-preserve-root\\s+)?(?:\\/|~|\\$HOME|\\*)|:\\(\\)\\s*\\{\\s*:\\s*\\|\\s*:\\s*&\\s*\\}|\\bmkfs(?:\\.\\w+)?\\s+\\/dev|\\bdd\\s+if=\\S+\\s+of=\\/dev|\\bchmod\\s+(?:-R\\s+)?777\\s+\\/(?:\\s|$)|>\\s*\\/dev\\/sd[a-z])`),
  rule('tool.fork_bomb', 'tool_abuse', 'medium', ':\\(\\)\\s*\\{\\s*:\\s*\\|\\s*:\\s*&\\s*\\}\\s*;\\s*:'),
  rule('tool.reverse_shell', 'tool_abuse', 'high',
    '\\bbash\\s+-i\\s+>&\\s*\\/dev\\/tcp\\/|\\b(?:nc|ncat|netcat)\\s+(?:-\\w+\\s+)*-[ec]\\s+\\/bin\\/(?:ba)?sh|\\b(?:write|create|build|install|deploy|drop)\\s+(?:me\\s+)?(?:a\\s+|an\\s+)?[^\\n]{0,20}?(?:reverse\\s+shell|backdoor|keylogger|ransomware|rootkit)\\b'),
  rule('tool.base64_exec', 'tool_abuse', 'high', `base64\\s+(?:-d|--decode)\\b[^\\n]{0,100}\\|\\s*${SHELL}`),

  // ---- text aimed at an AI reading a page or document ----
  rule('indirect.ai_reader', 'indirect_injection', 'medium',
    '\\b(?:if\\s+you\\s+are\\s+an?\\s+(?:AI|LLM|language\\s+model|assistant|chatbot|agent)\\b|(?:note|message|instructions?)\\s+(?:to|for)\\s+(?:the\\s+|any\\s+)?(?:AI|LLM|language\\s+model|assistant|chatbot|agent)s?\\b\\s*[:,-]|(?:AI|LLM)\\s+(?:agents?|assistants?|models?)\\s+(?:reading|processing|summari[sz]ing)\\s+this)'),
];
