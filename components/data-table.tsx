// The one data table: a captioned <table> with a row of column headers, in the keyboard-focusable
// scroll container (TableWrap). Rows stay with each page (they differ), the frame is written once.
import type { ReactNode } from 'react';
import { TableWrap } from '@/components/table-wrap';

/** The header of a column of row actions (remove, revoke …): named for screen readers, blank on screen. */
export const ACTIONS_HEADER = <span className="sr-only">Actions</span>;

export function DataTable({ caption, columns, className, testId, children }: {
  /** Every table says what it holds (screen readers announce it; Playwright finds tables by it). */
  caption: ReactNode;
  /** The header cells, left to right (`<th scope="col">`); null or false: no such column (e.g. Actions for viewers). */
  columns: readonly ReactNode[];
  className?: string;
  testId?: string;
  /** The body rows. */
  children?: ReactNode;
}) {
  return (
    <TableWrap>
      <table className={className} data-testid={testId}>
        <caption>{caption}</caption>
        <thead>
          <tr>
            {columns.filter((c) => c !== null && c !== false).map((c, i) => (
              // biome-ignore lint/suspicious/noArrayIndexKey: a fixed list of headers; the position is the column.
              <th key={i} scope="col">
                {c}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>{children}</tbody>
      </table>
    </TableWrap>
  );
}
