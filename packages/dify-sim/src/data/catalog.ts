/** The fixed cast of the simulated workspace: apps with their workflow graphs, models and accounts. */

export type StepType = 'start' | 'llm' | 'code' | 'http-request' | 'if-else' | 'iteration' | 'end' | 'answer';

export interface StepTemplate {
  type: StepType;
  title: string;
  /** Inner steps of an iteration, run once per round. */
  inner?: StepTemplate[];
}

export interface ModelSpec {
  provider: string;
  name: string;
  /** Price per `priceUnit` tokens, as Dify's model schemas state it. */
  inputPrice: number;
  outputPrice: number;
  priceUnit: number;
  currency: string;
}

export type ContentKind = 'ticket' | 'invoice' | 'ticket-zh' | 'chat';

export interface AppTemplate {
  name: string;
  mode: 'workflow' | 'advanced-chat' | 'chat' | 'agent-chat' | 'completion';
  description: string;
  tags: string[];
  icon: string;
  iconBackground: string;
  content: ContentKind;
  model: ModelSpec;
  steps: StepTemplate[];
  /** The `user_input_form` of /v1/parameters. */
  inputForm: Array<Record<string, unknown>>;
}

export const MODELS = {
  openai: {
    provider: 'langgenius/openai/openai',
    name: 'gpt-4o-mini',
    inputPrice: 0.15,
    outputPrice: 0.6,
    priceUnit: 0.000001,
    currency: 'USD',
  },
  deepseek: {
    provider: 'langgenius/deepseek/deepseek',
    name: 'deepseek-chat',
    inputPrice: 0.27,
    outputPrice: 1.1,
    priceUnit: 0.000001,
    currency: 'USD',
  },
  tongyi: {
    provider: 'langgenius/tongyi/tongyi',
    name: 'qwen-max',
    inputPrice: 0.02,
    outputPrice: 0.06,
    priceUnit: 0.001,
    currency: 'RMB',
  },
} satisfies Record<string, ModelSpec>;

export const APP_TEMPLATES: AppTemplate[] = [
  {
    name: 'Ticket Triage',
    mode: 'workflow',
    description: 'Classifies support tickets',
    tags: ['support', 'prod'],
    icon: '🤖',
    iconBackground: '#FFEAD5',
    content: 'ticket',
    model: MODELS.openai,
    steps: [
      { type: 'start', title: 'Start' },
      { type: 'llm', title: 'Classify ticket' },
      { type: 'code', title: 'Parse classification' },
      { type: 'if-else', title: 'Is urgent?' },
      { type: 'http-request', title: 'Post to CRM' },
      {
        type: 'iteration',
        title: 'Summarise attachments',
        inner: [
          { type: 'llm', title: 'Summarise attachment' },
          { type: 'code', title: 'Clean summary' },
        ],
      },
      { type: 'end', title: 'End' },
    ],
    inputForm: [
      { paragraph: { label: 'Ticket text', variable: 'ticket_text', required: true, max_length: 4000, default: '' } },
      {
        select: {
          label: 'Customer tier',
          variable: 'customer_tier',
          required: false,
          options: ['free', 'pro', 'enterprise'],
          default: 'free',
        },
      },
    ],
  },
  {
    name: 'Invoice Extractor',
    mode: 'workflow',
    description: 'Extracts vendor, totals and line items from invoice PDFs',
    tags: ['finance'],
    icon: '🧾',
    iconBackground: '#E4FBCC',
    content: 'invoice',
    model: MODELS.deepseek,
    steps: [
      { type: 'start', title: 'Start' },
      { type: 'http-request', title: 'Fetch invoice' },
      { type: 'llm', title: 'Extract fields' },
      { type: 'code', title: 'Validate totals' },
      { type: 'if-else', title: 'Total above approval limit?' },
      {
        type: 'iteration',
        title: 'Normalise line items',
        inner: [
          { type: 'llm', title: 'Classify line item' },
          { type: 'code', title: 'Map GL account' },
        ],
      },
      { type: 'end', title: 'End' },
    ],
    inputForm: [
      { 'text-input': { label: 'Invoice URL', variable: 'invoice_url', required: true, max_length: 512, default: '' } },
      {
        select: {
          label: 'Currency hint',
          variable: 'currency_hint',
          required: false,
          options: ['EUR', 'USD', 'CNY', 'GBP'],
          default: 'EUR',
        },
      },
    ],
  },
  {
    name: '客服工单分类',
    mode: 'workflow',
    description: '自动分类客服工单并生成回复草稿 ✨',
    tags: ['客服', 'prod'],
    icon: '🎧',
    iconBackground: '#D1E9FF',
    content: 'ticket-zh',
    model: MODELS.tongyi,
    steps: [
      { type: 'start', title: '开始' },
      { type: 'llm', title: '工单分类' },
      { type: 'if-else', title: '是否紧急' },
      { type: 'code', title: '格式化输出' },
      { type: 'http-request', title: '推送到企业微信' },
      {
        type: 'iteration',
        title: '逐条生成回复',
        inner: [
          { type: 'llm', title: '生成回复' },
          { type: 'code', title: '清理回复' },
        ],
      },
      { type: 'end', title: '结束' },
    ],
    inputForm: [
      { paragraph: { label: '工单内容', variable: '工单内容', required: true, max_length: 2000, default: '' } },
      {
        select: {
          label: '渠道',
          variable: '渠道',
          required: true,
          options: ['微信', '电话', '邮件', 'App 内反馈'],
          default: '微信',
        },
      },
    ],
  },
  {
    name: 'Support Assistant',
    mode: 'advanced-chat',
    description: 'Answers customer questions from the help center',
    tags: ['support'],
    icon: '💬',
    iconBackground: '#FCE7F6',
    content: 'chat',
    model: MODELS.openai,
    steps: [
      { type: 'start', title: 'Start' },
      { type: 'llm', title: 'Answer question' },
      { type: 'http-request', title: 'Look up order' },
      { type: 'answer', title: 'Answer' },
    ],
    inputForm: [],
  },
];

/**
 * Apps without workflows (`chatApps: true`): conversations and messages only, no workflow runs. A completion app's
 * every message is a conversation of its own (`/completion-conversations`).
 */
export const CHAT_APP_TEMPLATES: AppTemplate[] = [
  {
    name: 'FAQ Bot',
    mode: 'chat',
    description: 'Answers frequently asked questions',
    tags: ['support'],
    icon: '❓',
    iconBackground: '#E0F2FE',
    content: 'chat',
    model: MODELS.deepseek,
    steps: [
      { type: 'start', title: 'Start' },
      { type: 'llm', title: 'Answer' },
      { type: 'answer', title: 'Answer' },
    ],
    inputForm: [],
  },
  {
    name: 'Research Agent',
    mode: 'agent-chat',
    description: 'Looks things up with tools',
    tags: ['research'],
    icon: '🕵️',
    iconBackground: '#FEF3C7',
    content: 'chat',
    model: MODELS.openai,
    steps: [
      { type: 'start', title: 'Start' },
      { type: 'llm', title: 'Agent' },
      { type: 'answer', title: 'Answer' },
    ],
    inputForm: [],
  },
  {
    name: 'Copy Writer',
    mode: 'completion',
    description: 'Writes product copy from a brief',
    tags: ['marketing'],
    icon: '✍️',
    iconBackground: '#DCFCE7',
    content: 'chat',
    model: MODELS.tongyi,
    steps: [
      { type: 'start', title: 'Start' },
      { type: 'llm', title: 'Write' },
    ],
    inputForm: [],
  },
];

export interface AccountSpec {
  id: string;
  name: string;
  email: string;
  role: 'owner' | 'admin' | 'editor' | 'normal';
}

export const MEMBER_ACCOUNTS: Array<Omit<AccountSpec, 'id'>> = [
  { name: 'Li Wei', email: 'li.wei@example.com', role: 'editor' },
  { name: 'María García', email: 'maria.garcia@example.com', role: 'normal' },
];

export const DEFAULT_ACCOUNT = { email: 'ops@example.com', password: 'dify-sim-password', name: 'Ops Admin' };

/** Graph node keys look like Dify's: millisecond timestamps from when the node was added in the editor. */
export function nodeKey(appIndex: number, position: number): string {
  return String(1711068257370 + appIndex * 9_876_543 + position * 13_791);
}
