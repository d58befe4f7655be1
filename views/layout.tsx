// The page frame: LuCI-style dark bar with hostname, menu, "Unsaved changes" badge, group tabs and footer.
import type { Child } from 'hono/jsx';
import { ApplyDialog, type ApplyDialogView } from './apply-dialog.js';

export type PageId = 'status' | 'policies' | 'applies' | 'tester' | 'tokens' | 'backup' | 'changes';

export interface Flash {
  kind: 'success' | 'error' | 'warning' | 'notice';
  text: string;
}

export interface Chrome {
  hostname: string;
  csrf: string;
  /** Drafts that differ from the last applied revisions. */
  unsaved: number;
  /** An apply still in flight or awaiting confirmation, so the countdown survives a reload. */
  activeApply?: ApplyDialogView;
  flash?: Flash;
}

const groups: { label: string; items: { id: PageId; href: string; label: string }[] }[] = [
  {
    label: 'Firewall',
    items: [
      { id: 'policies', href: '/policies', label: 'Policies' },
      { id: 'applies', href: '/applies', label: 'Applies' },
      { id: 'tester', href: '/tester', label: 'Packet tester' },
    ],
  },
  {
    label: 'System',
    items: [
      { id: 'tokens', href: '/tokens', label: 'Tokens' },
      { id: 'backup', href: '/backup', label: 'Backup/Restore' },
    ],
  },
];

/** `refresh`: seconds after which a page without JavaScript reloads itself (an apply in progress). */
export function Head({ title, csrf, refresh }: { title: string; csrf?: string; refresh?: number }) {
  return (
    <head>
      <meta charset="utf-8" />
      {refresh ? (
        <noscript>
          <meta http-equiv="refresh" content={String(refresh)} />
        </noscript>
      ) : null}
      {csrf ? <meta name="csrf-token" content={csrf} /> : null}
      <meta name="viewport" content="width=device-width, initial-scale=1" />
      <title>{title} - lunawall</title>
      <link rel="icon" href="/favicon.ico" type="image/svg+xml" />
      <link rel="stylesheet" href="/static/ui.css" />
      <script src="/static/htmx.min.js" defer></script>
      <script src="/static/ui.js" defer></script>
    </head>
  );
}

/** `oob`: sent along with an htmx response so the count follows a toggle without a reload. */
export function UnsavedBadge({ count, oob }: { count: number; oob?: boolean }) {
  return (
    <a id="unsaved" href="/changes" class={`label ${count > 0 ? 'warning' : 'notice'}`} title="Show pending changes" hx-swap-oob={oob ? 'true' : undefined}>
      {count > 0 ? `Unsaved changes: ${count}` : 'No unsaved changes'}
    </a>
  );
}

export function Layout(props: { title: string; page: PageId; chrome: Chrome; refresh?: number; children?: Child }) {
  const { chrome, page } = props;
  const group = groups.find((g) => g.items.some((i) => i.id === page));
  return (
    <html lang="en">
      <Head title={props.title} csrf={chrome.csrf} refresh={props.refresh} />
      <body>
        <header class="topbar">
          <div class="inner">
            <a class="brand" href="/status">
              {chrome.hostname}
            </a>
            <nav class="menu" aria-label="Main menu">
              <a href="/status" class={page === 'status' ? 'active' : ''}>
                Status
              </a>
              {groups.map((g) => (
                <div class={`group${g === group ? ' active' : ''}`}>
                  <span tabindex={0}>{g.label}</span>
                  <div class="sub">
                    {g.items.map((i) => (
                      <a href={i.href}>{i.label}</a>
                    ))}
                  </div>
                </div>
              ))}
              <form class="logout-form" method="post" action="/logout">
                <input type="hidden" name="_csrf" value={chrome.csrf} />
                <button type="submit">Log out</button>
              </form>
            </nav>
            <div class="indicators">
              <UnsavedBadge count={chrome.unsaved} />
            </div>
          </div>
        </header>
        <main id="maincontent">
          {group ? (
            <ul class="cbi-tabmenu">
              {group.items.map((i) => (
                <li class={i.id === page ? 'cbi-tab' : 'cbi-tab-disabled'}>
                  <a href={i.href}>{i.label}</a>
                </li>
              ))}
            </ul>
          ) : null}
          {chrome.flash ? (
            <div class={`alert-message ${chrome.flash.kind}`} role={chrome.flash.kind === 'error' ? 'alert' : 'status'}>
              {chrome.flash.text}
            </div>
          ) : null}
          {props.children}
        </main>
        {chrome.activeApply ? <ApplyDialog apply={chrome.activeApply} csrf={chrome.csrf} /> : null}
        <footer>lunawall · Lua firewall for Lunatik</footer>
      </body>
    </html>
  );
}

/** The frame for pages shown before login: no menu, no badge. */
export function BareLayout(props: { title: string; hostname: string; children?: Child }) {
  return (
    <html lang="en">
      <Head title={props.title} />
      <body>
        <header class="topbar">
          <div class="inner">
            <span class="brand">{props.hostname}</span>
          </div>
        </header>
        <main id="maincontent">{props.children}</main>
      </body>
    </html>
  );
}
