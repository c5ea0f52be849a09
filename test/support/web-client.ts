// A minimal form-posting client for the web pages: keeps cookies like a browser, reads the
// hidden CSRF and submission fields from the last page, and posts forms. The browser tests use
// a real Chromium; this one drives the bad paths that a browser would never send.

export interface PageResponse {
  status: number;
  headers: Headers;
  body: string;
}

export class WebClient {
  private cookies = new Map<string, string>();
  constructor(readonly base: string) {}

  private remember(response: Response): void {
    for (const line of response.headers.getSetCookie()) {
      const [pair] = line.split(";");
      const [name, ...rest] = (pair ?? "").split("=");
      if (name) this.cookies.set(name.trim(), rest.join("="));
    }
  }

  cookieHeader(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join("; ");
  }

  async get(path: string, headers: Record<string, string> = {}): Promise<PageResponse> {
    const response = await fetch(`${this.base}${path}`, { headers: { accept: "text/html", cookie: this.cookieHeader(), ...headers }, redirect: "manual" });
    this.remember(response);
    return { status: response.status, headers: response.headers, body: await response.text() };
  }

  async post(path: string, form: Record<string, string>, headers: Record<string, string> = {}, rawBody?: string): Promise<PageResponse> {
    const response = await fetch(`${this.base}${path}`, {
      method: "POST",
      headers: { accept: "text/html", "content-type": "application/x-www-form-urlencoded", cookie: this.cookieHeader(), ...headers },
      body: rawBody ?? new URLSearchParams(form).toString(),
      redirect: "manual",
    });
    this.remember(response);
    return { status: response.status, headers: response.headers, body: await response.text() };
  }
}

/** The value of a hidden input in a page. */
export function hiddenField(html: string, name: string): string {
  const match = new RegExp(`<input type="hidden" name="${name}" value="([^"]*)"`).exec(html);
  if (!match) throw new Error(`no hidden field ${name} in the page`);
  return match[1] ?? "";
}
