/**
 * Give the event loop a turn (input, paint) without the clamping of nested timers: a message to oneself is
 * delivered as a new task at once. Long reads call it between pieces of work so that no task blocks the page.
 */
export function yieldToPage(): Promise<void> {
  return new Promise((resolve) => {
    const channel = new MessageChannel();
    channel.port1.onmessage = () => { channel.port1.close(); resolve(); };
    channel.port2.postMessage(null);
  });
}
