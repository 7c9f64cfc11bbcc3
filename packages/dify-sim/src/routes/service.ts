import { difyError, unauthorized } from '../errors.js';
import { headerValue, jsonResponse, type SimRequest, type SimResponse } from '../http.js';
import type { WorldApp } from '../data/world.js';
import type { Route, RouteContext } from './context.js';
import { workflowLogs } from './logs.js';
import { nullServiceRunDetail, serviceRunDetailJson } from './present.js';

/** `validate_app_token`: the app of an `Authorization: Bearer app-…` header, or Dify's 401. */
function authenticateApp(request: SimRequest, context: RouteContext): WorldApp | SimResponse {
  const header = headerValue(request.headers, 'authorization');
  if (!header || !header.includes(' '))
    return unauthorized("Authorization header must be provided and start with 'Bearer'");
  const separator = header.indexOf(' ');
  if (header.slice(0, separator).toLowerCase() !== 'bearer')
    return unauthorized("Authorization scheme must be 'Bearer'");
  const token = header.slice(separator + 1).trim();
  const app = context.world.apps.find(
    (candidate) => candidate.apiKey === token && !context.revokedKeys.has(candidate.id),
  );
  return app ?? unauthorized('Access token is invalid');
}

function withApp(
  handle: (request: SimRequest, context: RouteContext, app: WorldApp, params: string[]) => SimResponse,
): Route['handle'] {
  return (request, context, params) => {
    const app = authenticateApp(request, context);
    return 'template' in app ? handle(request, context, app, params) : app;
  };
}

function info(_request: SimRequest, _context: RouteContext, app: WorldApp): SimResponse {
  const template = app.template;
  return jsonResponse(200, {
    name: template.name,
    description: template.description,
    tags: template.tags,
    mode: template.mode,
    author_name: 'Ops Admin',
  });
}

function parameters(_request: SimRequest, _context: RouteContext, app: WorldApp): SimResponse {
  const chat = app.template.mode === 'advanced-chat';
  return jsonResponse(200, {
    opening_statement: chat ? 'Hi! How can I help you today? 👋' : null,
    suggested_questions: chat ? ['Where is my order?', 'How do I get a refund?'] : [],
    suggested_questions_after_answer: { enabled: chat },
    speech_to_text: { enabled: false },
    text_to_speech: { enabled: false, voice: '', language: '' },
    retriever_resource: { enabled: true },
    annotation_reply: { enabled: false },
    more_like_this: { enabled: false },
    user_input_form: app.template.inputForm,
    sensitive_word_avoidance: { enabled: false },
    file_upload: { image: { enabled: false, number_limits: 3, transfer_methods: ['local_file', 'remote_url'] } },
    system_parameters: {
      image_file_size_limit: 10,
      video_file_size_limit: 100,
      audio_file_size_limit: 50,
      file_size_limit: 15,
      workflow_file_upload_limit: 10,
    },
  });
}

function runDetail(_request: SimRequest, context: RouteContext, app: WorldApp, params: string[]): SimResponse {
  const { personality, store, world } = context;
  const found = store.findRun(decodeURIComponent(params[0] ?? ''));
  const run = found && found.app.index === app.index ? found : undefined;
  if (!run) {
    return personality.serviceRunNotFound404
      ? difyError(404, 'not_found', 'Workflow run not found.')
      : jsonResponse(200, nullServiceRunDetail());
  }
  return jsonResponse(200, serviceRunDetailJson(world, store.detail(run)));
}

export function serviceRoutes(): Route[] {
  const index: Route['handle'] = (_request, context) =>
    jsonResponse(200, { welcome: 'Dify OpenAPI', api_version: 'v1', server_version: context.personality.version });
  return [
    { method: 'GET', pattern: /^\/v1\/?$/, key: 'GET /v1/', handle: index },
    { method: 'GET', pattern: /^\/v1\/info$/, key: 'GET /v1/info', handle: withApp(info) },
    { method: 'GET', pattern: /^\/v1\/parameters$/, key: 'GET /v1/parameters', handle: withApp(parameters) },
    {
      method: 'GET',
      pattern: /^\/v1\/meta$/,
      key: 'GET /v1/meta',
      handle: withApp(() => jsonResponse(200, { tool_icons: {} })),
    },
    {
      method: 'GET',
      pattern: /^\/v1\/workflows\/logs$/,
      key: 'GET /v1/workflows/logs',
      handle: withApp((request, context, app) => workflowLogs(request, context, app, 'service')),
    },
    {
      method: 'GET',
      pattern: /^\/v1\/workflows\/run\/([^/]+)$/,
      key: 'GET /v1/workflows/run/:runId',
      handle: withApp(runDetail),
    },
  ];
}
