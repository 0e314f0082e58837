// The one scroll container for data tables: wide tables scroll sideways inside it on a phone, and
// it is keyboard-focusable so that scrolling works without a mouse.
import type { ReactNode } from 'react';

export function TableWrap({ className, children }: { className?: string; children: ReactNode }) {
  return (
    // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrollable region must be reachable by keyboard (WCAG 2.1.1, axe "scrollable-region-focusable", which the e2e axe scans enforce).
    <div className={className ? `table-wrap ${className}` : 'table-wrap'} tabIndex={0}>
      {children}
    </div>
  );
}
