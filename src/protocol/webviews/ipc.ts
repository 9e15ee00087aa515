/**
 * The typed IPC between the extension host and a webview (no vscode, no DOM imports), after
 * GitLens's webview protocol: a Command goes view -> host and is fire and forget, a Request goes
 * view -> host and gets exactly one Response, a Notification goes host -> view. Each is a constant
 * holding its method name and the types of its params (and result), so that a page and the host's
 * handler map are checked by the compiler against the same definition.
 *
 * On the wire a message is flat: `{ type: method, ...params }`; a request adds `requestId`; the
 * answer is `{ type: 'response', requestId, ok: true, result }` or `{ ..., ok: false, error }`.
 * Messages from a view cross a trust boundary: every command and request carries a schema of its
 * params, and `parseMessage` checks a message against it before any handler sees it.
 */

// ---- params schemas ---------------------------------------------------------------------------

/** Checks one field of a message; throws an Error saying what is wrong (prefixed by the parser). */
export interface Field<T, Optional extends boolean = boolean> {
  readonly optional: Optional;
  check(value: unknown, key: string): void;
  /** Phantom: the field's type. */
  readonly __type?: T;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a schema holds fields of any type
export type Schema = Record<string, Field<any>>;

type FieldType<F> = F extends Field<infer T> ? T : never;
type Simplify<T> = { [K in keyof T]: T[K] } & {};

/** The params type a schema describes: optional fields become optional properties. */
export type Infer<S extends Schema> = Simplify<
  { [K in keyof S as S[K] extends Field<unknown, true> ? never : K]: FieldType<S[K]> } & {
    [K in keyof S as S[K] extends Field<unknown, true> ? K : never]?: FieldType<S[K]>;
  }
>;

function field<T>(check: (value: unknown, key: string) => void): Field<T, false> {
  return { optional: false, check };
}

/** A string, at most `maxLength` characters when given. */
export function string(opts: { maxLength?: number } = {}): Field<string, false> {
  return field((v, k) => {
    if (typeof v !== 'string') throw new Error(`${k} must be a string`);
    if (opts.maxLength !== undefined && v.length > opts.maxLength)
      throw new Error(`${k} is too long (${opts.maxLength.toLocaleString('en-US')} characters at most)`);
  });
}

/** A number, at least `min` when given. */
export function number(opts: { min?: number } = {}): Field<number, false> {
  return field((v, k) => {
    if (typeof v !== 'number' || (opts.min !== undefined && v < opts.min))
      throw new Error(`${k} must be a number${opts.min !== undefined ? ` >= ${opts.min}` : ''}`);
  });
}

/** One of a few strings; `message` words the error (default: "<key> must be a or b"). */
export function oneOf<const V extends string>(values: readonly V[], message?: (value: unknown) => string): Field<V, false> {
  return field((v, k) => {
    if (!values.includes(v as V)) throw new Error(message ? message(v) : `${k} must be ${values.join(' or ')}`);
  });
}

/** A plain object (not an array, not null) with string keys. */
export function record(): Field<Record<string, unknown>, false> {
  return field((v, k) => {
    if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new Error(`${k} must be an object`);
  });
}

/** The field may be left out (undefined); when present it must pass `f`. */
export function optional<T>(f: Field<T>): Field<T, true> {
  return { optional: true, check: (v, k) => (v === undefined ? undefined : f.check(v, k)) };
}

// ---- calls ------------------------------------------------------------------------------------

/** A phantom value that carries a type (a request's result, a notification's params). */
export interface Shape<T> {
  readonly __shape?: T;
}

export function shape<T>(): Shape<T> {
  return {};
}

export interface IpcCommand<M extends string = string, P = unknown> {
  readonly kind: 'command';
  readonly method: M;
  readonly schema: Schema;
  readonly __params?: P;
}

export interface IpcRequest<M extends string = string, P = unknown, R = unknown> {
  readonly kind: 'request';
  readonly method: M;
  readonly schema: Schema;
  readonly __params?: P;
  readonly __result?: R;
}

export interface IpcNotification<M extends string = string, P = unknown> {
  readonly kind: 'notification';
  readonly method: M;
  /** A filter on messages of this method (bootstrap: only this page's). */
  readonly accepts?: (message: Record<string, unknown>) => boolean;
  readonly __params?: P;
}

/** A command (view -> host, fire and forget) whose params `schema` describes. */
export function command<const M extends string, S extends Schema>(method: M, schema: S): IpcCommand<M, Infer<S>> {
  return { kind: 'command', method, schema };
}

/** A request (view -> host) whose params `schema` describes, answered with a `R`. */
export function request<const M extends string, S extends Schema, R>(method: M, schema: S, _result: Shape<R>): IpcRequest<M, Infer<S>, R> {
  return { kind: 'request', method, schema };
}

/** A notification (host -> view) with params `P`; the host is trusted, so no schema. */
export function notification<const M extends string, P>(
  method: M,
  _params: Shape<P>,
  accepts?: (message: Record<string, unknown>) => boolean,
): IpcNotification<M, P> {
  return { kind: 'notification', method, ...(accepts ? { accepts } : {}) };
}

/** Any command, request or notification (for constraints). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- constraints over every params type
export type AnyCommand = IpcCommand<string, any>;
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- constraints over every params and result type
export type AnyRequest = IpcRequest<string, any, any>;
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- constraints over every params type
export type AnyNotification = IpcNotification<string, any>;

export type ParamsOf<C> = C extends { readonly __params?: infer P } ? P : never;
export type ResultOf<R> = R extends IpcRequest<string, unknown, infer T> ? T : never;

// ---- wire messages ----------------------------------------------------------------------------

export type CommandMessage<C> = C extends IpcCommand<infer M, infer P> ? Simplify<{ type: M } & P> : never;
export type RequestMessage<R> = R extends IpcRequest<infer M, infer P, unknown> ? Simplify<{ type: M; requestId: number } & P> : never;
export type NotificationMessage<N> = N extends IpcNotification<infer M, infer P> ? Simplify<{ type: M } & P> : never;

export type ResponseMessage =
  { type: 'response'; requestId: number; ok: true; result?: unknown } | { type: 'response'; requestId: number; ok: false; error: string };

/** The wire form of a command or notification. */
export function message<C extends AnyCommand | AnyNotification>(call: C, params: ParamsOf<C>): CommandMessage<C> | NotificationMessage<C> {
  return { ...(params as object), type: call.method } as CommandMessage<C> | NotificationMessage<C>;
}

/** The wire form of a request. */
export function requestMessage<R extends AnyRequest>(call: R, requestId: number, params: ParamsOf<R>): RequestMessage<R> {
  return { ...(params as object), type: call.method, requestId } as RequestMessage<R>;
}

/** A success or a failure response to request `requestId`. */
export function response(requestId: number, outcome: { result: unknown } | { error: string }): ResponseMessage {
  return 'error' in outcome
    ? { type: 'response', requestId, ok: false, error: outcome.error }
    : { type: 'response', requestId, ok: true, result: outcome.result };
}

// ---- pages ------------------------------------------------------------------------------------

/** Everything one page and its host say to each other. Tables are keyed by method name. */
export interface PageProtocol<
  Page extends string = string,
  State = unknown,
  Commands extends Record<string, AnyCommand> = Record<string, AnyCommand>,
  Requests extends Record<string, AnyRequest> = Record<string, AnyRequest>,
  Notifications extends Record<string, AnyNotification> = Record<string, AnyNotification>,
> {
  readonly page: Page;
  readonly bootstrap: IpcNotification<'bootstrap', { page: Page; state: State }>;
  readonly commands: Commands;
  readonly requests: Requests;
  readonly notifications: Notifications;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- constraints over every page
export type AnyPage = PageProtocol<string, any, Record<string, AnyCommand>, Record<string, AnyRequest>, Record<string, AnyNotification>>;

export type StateOf<P extends AnyPage> = ParamsOf<P['bootstrap']>['state'];
export type PageCommand<P extends AnyPage> = P['commands'][keyof P['commands']];
export type PageRequest<P extends AnyPage> = P['requests'][keyof P['requests']];
export type PageNotification<P extends AnyPage> = P['notifications'][keyof P['notifications']] | P['bootstrap'];

/** The messages a page sends, and those it receives. */
export type ViewMessageOf<P extends AnyPage> = CommandMessage<PageCommand<P>> | RequestMessage<PageRequest<P>>;
export type HostMessageOf<P extends AnyPage> = NotificationMessage<PageNotification<P>> | ResponseMessage;

/**
 * Defines a page's protocol and checks it: each table's keys are the methods of its calls, and no
 * method is used twice (a command and a request of one name could not be told apart).
 */
export function definePage<
  const Page extends string,
  State,
  Commands extends Record<string, AnyCommand>,
  Requests extends Record<string, AnyRequest>,
  Notifications extends Record<string, AnyNotification>,
>(p: {
  page: Page;
  state: Shape<State>;
  commands: Commands;
  requests: Requests;
  notifications: Notifications;
}): PageProtocol<Page, State, Commands, Requests, Notifications> {
  const seen = new Set<string>(['bootstrap', 'response']);
  for (const table of [p.commands, p.requests, p.notifications] as Record<string, { method: string }>[]) {
    for (const [key, call] of Object.entries(table)) {
      if (key !== call.method) throw new Error(`${p.page} protocol: "${key}" names the method "${call.method}"`);
      if (seen.has(key)) throw new Error(`${p.page} protocol: the method "${key}" is defined twice`);
      seen.add(key);
    }
  }
  const bootstrap = notification('bootstrap', shape<{ page: Page; state: State }>(), (m) => m.page === p.page);
  return { page: p.page, bootstrap, commands: p.commands, requests: p.requests, notifications: p.notifications };
}

// ---- parsing ----------------------------------------------------------------------------------

/** The calls a view may make, by method: one page's, or every page's. */
export type CallTable = ReadonlyMap<string, AnyCommand | AnyRequest>;

export function callTable(pages: readonly AnyPage[]): CallTable {
  const table = new Map<string, AnyCommand | AnyRequest>();
  for (const p of pages) {
    for (const c of [...Object.values(p.commands), ...Object.values(p.requests)]) {
      const known = table.get(c.method);
      if (known && known !== c) throw new Error(`webview protocol: "${c.method}" is defined differently by two pages`);
      table.set(c.method, c);
    }
  }
  return table;
}

/** A message from a view checked against its call's schema (the message itself, typed). */
export interface Parsed {
  call: AnyCommand | AnyRequest;
  message: Record<string, unknown> & { type: string; requestId?: number };
}

/** Validates a message from a view (untrusted input); throws with what is wrong. */
export function parseMessage(table: CallTable, v: unknown): Parsed {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new Error('webview message: not an object');
  const m = v as Record<string, unknown>;
  const call = typeof m.type === 'string' ? table.get(m.type) : undefined;
  if (!call) throw new Error(`webview message: unknown type ${JSON.stringify(m.type)}`);
  if (call.kind === 'request' && (typeof m.requestId !== 'number' || !Number.isInteger(m.requestId)))
    throw new Error(`webview message ${call.method}: requestId must be an integer`);
  for (const [key, f] of Object.entries(call.schema)) {
    try {
      f.check(m[key], key);
    } catch (e) {
      throw new Error(`webview message ${call.method}: ${(e as Error).message}`);
    }
  }
  return { call, message: m as Parsed['message'] };
}
