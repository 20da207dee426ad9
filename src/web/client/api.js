// fetch wrapper: bearer token from sessionStorage, JSON in and out, readable errors.

const TOKEN = 'amendflow.token';
const USER = 'amendflow.user';

export const session = {
  get token() {
    return sessionStorage.getItem(TOKEN);
  },
  get user() {
    try {
      return JSON.parse(sessionStorage.getItem(USER) || 'null');
    } catch {
      return null;
    }
  },
  save(token, user) {
    sessionStorage.setItem(TOKEN, token);
    sessionStorage.setItem(USER, JSON.stringify(user));
  },
  clear() {
    sessionStorage.removeItem(TOKEN);
    sessionStorage.removeItem(USER);
  },
};

export class ApiError extends Error {
  constructor(status, message, body) {
    super(message);
    this.status = status;
    this.body = body;
  }
}

export async function api(method, path, body) {
  const headers = { Accept: 'application/json' };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (session.token) headers.Authorization = `Bearer ${session.token}`;
  const res = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  let data = null;
  try {
    data = text ? JSON.parse(text) : null;
  } catch {
    data = text;
  }
  if (res.status === 401 && path !== '/auth/sign-in') {
    session.clear();
    location.hash = '#/sign-in';
  }
  if (!res.ok) {
    const msg =
      data && typeof data === 'object'
        ? [].concat(data.message || data.error || res.statusText).join('\n')
        : String(data || res.statusText);
    throw new ApiError(res.status, msg, data);
  }
  return data;
}

export const get = (p) => api('GET', p);
export const post = (p, b) => api('POST', p, b ?? {});

/** Fetches a protected file (exports need the bearer token) and hands it to the browser as a download. */
export async function download(path, filename) {
  const res = await fetch(path, { headers: session.token ? { Authorization: `Bearer ${session.token}` } : {} });
  if (!res.ok) throw new ApiError(res.status, `${res.status} ${res.statusText}`, null);
  const url = URL.createObjectURL(await res.blob());
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}
