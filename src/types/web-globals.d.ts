// Hono's WebSocket helper types name the DOM's CloseEvent, which Node 20's type definitions lack.
// task-agents opens no WebSockets; this declaration only lets the library types check with
// skipLibCheck off. It matches the DOM's shape, so it merges with a real one where present.
declare global {
  interface CloseEvent extends Event {
    readonly code: number;
    readonly reason: string;
    readonly wasClean: boolean;
  }
}
export {};
