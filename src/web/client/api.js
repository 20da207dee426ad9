// fetch wrapper: bearer token from sessionStorage, JSON in and out, readable errors.

const TOKEN = 'amendflow.token';
const USER = 'amendflow.user';

export const session = {
  get token() { return sessionStorage.getItem(TOKEN); },
  get user() {
    try { return JSON.parse(sessionStorage.getItem(USER) || 'null'); } catch { return null; }
  },
  save(token, user) { sessionStorage.setItem(TOKEN, token); sessionStorage.setItem(USER, JSON.stringify(user)); },
  clear() { sessionStorage.removeItem(TOKEN); sessionStorage.removeItem(USER); },
};

export class ApiError extends Error {
  constructor(status, message, body) { super(message); this.status = status; this.body = body; }
}

export async function api(method, path, body) {
  const headers = { Accept: 'application/json' };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (session.token) headers.Authorization = `Bearer ${session.token}`;
  const res = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  let data = null;
  try { data = text ? JSON.parse(text) : null; } catch { data = text; }
  if (res.status === 401 && path !== '/auth/sign-in') {
    session.clear();
    location.hash = '#/sign-in';
  }
  if (!res.ok) {
    const msg = data && typeof data === 'object' ? [].concat(data.message || data.error || res.statusText).join('\n') : String(data || res.statusText);
    throw new ApiError(res.status, msg, data);
  }
  return data;
}

export const get = (p) => api('GET', p);
export const post = (p, b) => api('POST', p, b ?? {});
