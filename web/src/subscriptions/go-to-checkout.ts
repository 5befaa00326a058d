// Where a checkout's answer sends the viewer: the development provider's page in this app
// (/checkout/?reference=…), or the payment provider's own page.
export function goToCheckout(url: string, push: (href: string) => void): void {
  if (url.startsWith("/") && !url.startsWith("//")) push(url);
  else window.location.assign(url);
}
