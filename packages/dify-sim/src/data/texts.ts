import type { ContentKind } from './catalog.js';
import type { Random } from './prng.js';

/** The user-facing content of one run: what went in, what came out, and what the nodes said. */
export interface RunContent {
  userInputs: Record<string, unknown>;
  outputs: Record<string, unknown>;
  /** What the first LLM node was asked and answered. */
  prompt: string;
  answer: string;
  /** Items an iteration walks over, with the inner LLM's answer for each. */
  items: string[];
  itemAnswers: string[];
  request: { method: string; url: string; body: string; responseBody: string };
}

const TICKETS = [
  'Printer on floor {n} is on fire 🔥, please send someone',
  'Cannot log in to the billing portal since the password reset #{n}',
  'VPN drops every {n} minutes when on hotel Wi-Fi',
  'Invoice INV-{n} charged twice on my card',
  'Laptop fan very loud after update, ticket {n}',
  'Need access to the "Q3 forecast" shared drive for {n} new hires',
  'Email bounces with 550 5.1.1 for external domain (case {n})',
  'The dashboard says "Internal Server Error" after clicking Export ({n} rows)',
  'Coffee machine on level {n} leaks 😅',
  'SSO login loops back to the start page, user count {n}',
];
const CATEGORIES = ['hardware', 'billing', 'access', 'network', 'facilities', 'other'];
const PRIORITIES = ['low', 'medium', 'high', 'urgent'];
const TIERS = ['free', 'pro', 'enterprise'];

const TICKETS_ZH = [
  '快递 {n} 天了还没到，物流信息一直不更新 😡',
  '申请退款已经 {n} 天，钱还没有退回到原账户',
  '账号被锁定了，手机号 138****{n} 收不到验证码',
  '收到的商品有破损 📦，订单号 DD2026{n}',
  '会员自动续费了，我没有同意，请退还 {n} 元',
  'App 闪退，版本 6.{n}.2，iPhone 15 Pro',
  '发票抬头写错了，需要重新开具（订单 {n}）',
  '客服电话一直占线，等了 {n} 分钟 🙃',
  '优惠券 {n} 元无法使用，提示“不满足条件”',
];
const CATEGORIES_ZH = ['物流', '退款', '账号', '质量问题', '会员', '其他'];
const PRIORITIES_ZH = ['高', '中', '低'];
const CHANNELS_ZH = ['微信', '电话', '邮件', 'App 内反馈'];

const VENDORS = [
  'Acme GmbH',
  'Globex Corporation',
  'Initech Ltd',
  'Umbrella Logistics',
  'Müller & Söhne KG',
  '上海云帆科技有限公司',
  'Soylent Foods S.A.',
];
const CURRENCIES = ['EUR', 'USD', 'CNY', 'GBP'];
const LINE_ITEMS = [
  'Cloud hosting (monthly)',
  'Consulting hours',
  'Office chairs',
  'Freight & handling',
  'Software licence renewal',
  '办公用品',
  'Travel expenses',
  'Support plan',
];

const QUESTIONS = [
  'Where is my order #{n}?',
  'How do I change the email on my account?',
  'Can I get a refund for order {n}? It arrived late.',
  'Do you ship to Norway? 🇳🇴',
  'What is the warranty on the X{n} headphones?',
  '我的订单 {n} 什么时候发货？',
  'How do I export my data as CSV?',
  'The discount code SPRING{n} does not work',
];

function fill(template: string, random: Random): string {
  return template.replace('{n}', String(random.int(2, 9999)));
}

function dateString(random: Random): string {
  return `2026-${String(random.int(1, 12)).padStart(2, '0')}-${String(random.int(1, 28)).padStart(2, '0')}`;
}

export function createContent(kind: ContentKind, random: Random): RunContent {
  const rounds = random.int(1, 3);
  if (kind === 'ticket') {
    const text = fill(random.pick(TICKETS), random);
    const category = random.pick(CATEGORIES);
    const priority = random.pick(PRIORITIES);
    const summary = `${category} issue: ${text.slice(0, 48)}`;
    const items = Array.from(
      { length: rounds },
      (_, round) => `attachment-${round + 1}.${random.pick(['png', 'pdf', 'log'])}`,
    );
    return {
      userInputs: { ticket_text: text, customer_tier: random.pick(TIERS) },
      outputs: { category, priority, summary },
      prompt: `Classify this support ticket and rate its priority:\n${text}`,
      answer: `category: ${category}\npriority: ${priority}`,
      items,
      itemAnswers: items.map(
        (item) =>
          `${item}: ` +
          `${random.pick(['screenshot of the error', 'server log excerpt', 'photo of the device', 'receipt'])}`,
      ),
      request: {
        method: 'POST',
        url: 'https://crm.example.com/api/v2/tickets',
        body: JSON.stringify({ category, priority }),
        responseBody: `{"ticket_id": "T-${random.int(10000, 99999)}", "status": "open"}`,
      },
    };
  }
  if (kind === 'ticket-zh') {
    const text = fill(random.pick(TICKETS_ZH), random);
    const category = random.pick(CATEGORIES_ZH);
    const priority = random.pick(PRIORITIES_ZH);
    const reply = `您好，已收到您关于「${category}」的反馈，我们会在 24 小时内处理 🙏`;
    const items = Array.from({ length: rounds }, (_, round) => `问题 ${round + 1}`);
    return {
      userInputs: { 工单内容: text, 渠道: random.pick(CHANNELS_ZH) },
      outputs: { 分类: category, 优先级: priority, 回复草稿: reply },
      prompt: `请对以下客服工单进行分类，并判断优先级：\n${text}`,
      answer: `分类：${category}\n优先级：${priority}`,
      items,
      itemAnswers: items.map((item) => `${item}：${reply}`),
      request: {
        method: 'POST',
        url: 'https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=***',
        body: JSON.stringify({ msgtype: 'text' }),
        responseBody: '{"errcode":0,"errmsg":"ok"}',
      },
    };
  }
  if (kind === 'invoice') {
    const vendor = random.pick(VENDORS);
    const currency = random.pick(CURRENCIES);
    const number = `INV-2026-${String(random.int(1, 99999)).padStart(5, '0')}`;
    const items = Array.from({ length: rounds }, () => random.pick(LINE_ITEMS));
    const amounts = items.map(() => Math.round(random.float(20, 4000) * 100) / 100);
    const total = Math.round(amounts.reduce((sum, amount) => sum + amount, 0) * 100) / 100;
    return {
      userInputs: { invoice_url: `https://files.example.com/invoices/${number}.pdf`, currency_hint: currency },
      outputs: {
        vendor,
        invoice_number: number,
        total,
        currency,
        due_date: dateString(random),
        line_items: items.length,
      },
      prompt:
        `Extract vendor, invoice number, total, currency and due date from this invoice text:\n` +
        `${vendor} ${number} ...`,
      answer: JSON.stringify({ vendor, invoice_number: number, total, currency }),
      items,
      itemAnswers: items.map(
        (item, position) => `${item}: ${amounts[position]} ${currency} → GL ${random.int(4000, 6999)}`,
      ),
      request: {
        method: 'GET',
        url: `https://files.example.com/invoices/${number}.pdf`,
        body: '',
        responseBody: `%PDF-1.7 (${random.int(40, 900)} KB)`,
      },
    };
  }
  const question = fill(random.pick(QUESTIONS), random);
  const answer = question.startsWith('我')
    ? '您的订单预计 2 个工作日内发货，发货后会短信通知您 📦'
    : `Thanks for asking! ${random.pick([
        'Your order is on its way and should arrive within 3 days.',
        'You can change it under Settings → Account.',
        'Yes, refunds are possible within 30 days.',
        'Please try again in a few minutes.',
      ])}`;
  return {
    userInputs: {},
    outputs: { answer },
    prompt: question,
    answer,
    items: [],
    itemAnswers: [],
    request: {
      method: 'GET',
      url: `https://shop.example.com/api/orders/${random.int(1000, 99999)}`,
      body: '',
      responseBody: '{"status": "shipped"}',
    },
  };
}

export const LLM_ERRORS = (model: string) => [
  `Rate limit reached for ${model}`,
  'Request timed out.',
  `[${model}] Server Unavailable Error, 503 Service Unavailable`,
  "Error code: 400 - This model's maximum context length is 128000 tokens.",
];
export const CODE_ERRORS = [
  'Code node timeout',
  'Output result must be a dict, got list instead.',
  "error: exit status 255, NameError: name 'summary' is not defined",
];
export const HTTP_ERRORS = ['Reached maximum retries (3) for URL', 'HTTP request failed with status code 502'];
