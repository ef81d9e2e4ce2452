'use client';

import Link from 'next/link';
import { usePathname } from 'next/navigation';
import { isCurrent } from '../auth/permissions.util';

/** Header links; the current page is marked with `aria-current` (and styled from it). */
export function NavLinks({ items }: { readonly items: readonly { readonly href: string; readonly label: string }[] }) {
  const pathname = usePathname() ?? '/';
  return (
    <ul className="nav-list" role="list">
      {items.map((item) => (
        <li key={item.href}>
          <Link href={item.href} aria-current={isCurrent(item.href, pathname) ? 'page' : undefined}>
            {item.label}
          </Link>
        </li>
      ))}
    </ul>
  );
}
