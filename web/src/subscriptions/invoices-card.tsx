"use client";

// The account's invoices, newest first: date, period, amount and status; older ones on demand.
import { useState } from "react";

import type { Invoice } from "@/api/types";
import { ErrorNotice } from "@/components/error-notice";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardHeader, CardTitle } from "@/components/ui/card";
import { Skeleton } from "@/components/ui/skeleton";
import { useI18n } from "@/i18n";
import { useResource } from "@/lib/use-resource";

import { subscriptionsApi } from "./api";
import { formatMoney } from "./money";

export function InvoicesCard({ reloadKey }: { reloadKey: string }) {
  const { t, formatDate, language } = useI18n();
  const first = useResource(`invoices:${reloadKey}`, (signal) => subscriptionsApi.invoices(null, signal));
  const [older, setOlder] = useState<{ items: Invoice[]; next: string | null } | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [loading, setLoading] = useState(false);

  const items = [...(first.data?.items ?? []), ...(older?.items ?? [])];
  const next = older ? older.next : (first.data?.next_cursor ?? null);

  async function more() {
    if (!next) return;
    setLoading(true);
    setError(null);
    try {
      const page = await subscriptionsApi.invoices(next);
      setOlder((current) => ({ items: [...(current?.items ?? []), ...page.items], next: page.next_cursor }));
    } catch (caught) {
      setError(caught);
    } finally {
      setLoading(false);
    }
  }

  return (
    <Card data-testid="invoices">
      <CardHeader>
        <CardTitle>{t.billing.invoices}</CardTitle>
      </CardHeader>
      <CardContent className="grid gap-4">
        {first.status === "loading" ? (
          <Skeleton className="h-24 w-full" aria-hidden="true" />
        ) : first.status === "error" ? (
          <ErrorNotice error={first.error} onRetry={first.reload} />
        ) : items.length === 0 ? (
          <p className="text-sm text-muted-foreground">{t.billing.noInvoices}</p>
        ) : (
          <div className="overflow-x-auto">
            <table className="w-full min-w-[32rem] text-left text-sm">
              <thead className="text-xs uppercase tracking-wide text-muted-foreground">
                <tr className="border-b border-border">
                  <th scope="col" className="py-2 pr-4 font-semibold">{t.billing.date}</th>
                  <th scope="col" className="py-2 pr-4 font-semibold">{t.billing.period}</th>
                  <th scope="col" className="py-2 pr-4 text-right font-semibold">{t.billing.amount}</th>
                  <th scope="col" className="py-2 font-semibold">{t.billing.statusHeading}</th>
                </tr>
              </thead>
              <tbody className="divide-y divide-border">
                {items.map((invoice) => (
                  <tr key={invoice.id} data-testid="invoice" data-status={invoice.status}>
                    <td className="py-3 pr-4 whitespace-nowrap">{formatDate(invoice.created_at)}</td>
                    <td className="py-3 pr-4">
                      <span className="whitespace-nowrap">{t.billing.range(formatDate(invoice.period_start), formatDate(invoice.period_end))}</span>
                      <span className="block text-xs text-muted-foreground">{invoice.description}</span>
                    </td>
                    <td className="py-3 pr-4 text-right font-medium tabular-nums whitespace-nowrap">
                      {formatMoney(invoice.amount, invoice.currency, language)}
                    </td>
                    <td className="py-3">
                      <Badge variant={invoice.status === "paid" ? "secondary" : invoice.status === "failed" ? "default" : "outline"}>
                        {t.billing.invoiceStatus[invoice.status]}
                      </Badge>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        {error ? <ErrorNotice error={error} compact /> : null}
        {next ? (
          <Button variant="outline" size="sm" className="justify-self-start" disabled={loading} onClick={() => void more()}>
            {t.billing.older}
          </Button>
        ) : null}
      </CardContent>
    </Card>
  );
}
