import type { Metadata } from 'next';
import localFont from 'next/font/local';
import Link from 'next/link';
import type { ReactNode } from 'react';
import { SignOutButton } from '@/components/auth/sign-out-button';
import { TimeZoneToggle } from '@/components/time/time-zone-toggle';
import { getDisplayZone } from '@/components/time/zone';
import { currentPrincipal } from '@/lib/auth/page';
import { can } from '@/lib/auth/roles';
import './globals.css';

// Bundled from node_modules: no network fetch at build time (next/font/google fails offline).
const inter = localFont({
  src: '../node_modules/@fontsource-variable/inter/files/inter-latin-wght-normal.woff2',
  weight: '100 900',
  style: 'normal',
  display: 'swap',
  variable: '--font-inter',
});

export const metadata: Metadata = {
  title: { default: 'Quorum', template: '%s · Quorum' },
  description: 'Control-plane HA and SLO dashboard for Kubernetes fleets.',
};

export default async function RootLayout({ children }: { children: ReactNode }) {
  // The navigation shows only what the role may use; pages and the API check again.
  const me = await currentPrincipal();
  const zone = await getDisplayZone();
  return (
    <html lang="en" className={inter.variable}>
      <body>
        <a className="skip-link" href="#main">
          Skip to content
        </a>
        <header className="site-header no-print">
          <Link href="/" className="brand">
            <span aria-hidden="true" className="brand-mark">◆</span> Quorum
          </Link>
          {me ? (
            <>
              <nav aria-label="Main">
                <ul>
                  <li>
                    <Link href="/">Overview</Link>
                  </li>
                  <li>
                    <Link href="/reports">Reports</Link>
                  </li>
                  <li>
                    <Link href="/alerts">Alerts</Link>
                  </li>
                  <li>
                    <Link href="/settings">Settings</Link>
                  </li>
                  <li>
                    <Link href="/settings/audit">Audit log</Link>
                  </li>
                  <li>
                    <Link href="/quorum">Quorum itself</Link>
                  </li>
                  {can(me.role, 'access:manage') ? (
                    <li>
                      <Link href="/settings/access">Users &amp; tokens</Link>
                    </li>
                  ) : null}
                  {can(me.role, 'clusters:write') ? (
                    <li>
                      <Link href="/clusters/new">Add cluster</Link>
                    </li>
                  ) : null}
                </ul>
              </nav>
              <div className="user-menu">
                <TimeZoneToggle zone={zone} />
                <span className="who" data-testid="signed-in-as">
                  {me.name} <span className="role-tag">{me.role}</span>
                </span>
                <SignOutButton />
              </div>
            </>
          ) : null}
        </header>
        <main id="main" tabIndex={-1}>
          {children}
        </main>
      </body>
    </html>
  );
}
