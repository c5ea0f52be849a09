// A fake Socket Mode endpoint: says hello on connect, pushes envelopes to the client and
// resolves with the client's acknowledgement. Pair it with FakeSlack.socketUrl.

import { WebSocketServer } from "ws";
import type { WebSocket } from "ws";
import type { AddressInfo } from "node:net";

export class FakeSlackSocket {
  private client: WebSocket | null = null;
  private readonly connected: Promise<void>;
  private readonly acks = new Map<string, (payload: Record<string, unknown>) => void>();
  private sequence = 0;

  private constructor(private readonly server: WebSocketServer) {
    this.connected = new Promise((resolve) => {
      server.on("connection", (socket) => {
        this.client = socket;
        socket.on("message", (data) => {
          const message = JSON.parse(String(data)) as { envelope_id?: string; payload?: Record<string, unknown> };
          if (message.envelope_id) this.acks.get(message.envelope_id)?.(message.payload ?? {});
        });
        socket.send(JSON.stringify({ type: "hello", num_connections: 1, connection_info: { app_id: "AFAKE" } }));
        resolve();
      });
    });
  }

  static async start(): Promise<FakeSlackSocket> {
    const server = new WebSocketServer({ host: "127.0.0.1", port: 0 });
    await new Promise<void>((resolve) => server.once("listening", () => resolve()));
    return new FakeSlackSocket(server);
  }

  get url(): string {
    return `ws://127.0.0.1:${(this.server.address() as AddressInfo).port}/link`;
  }

  whenConnected(): Promise<void> {
    return this.connected;
  }

  /** Pushes one envelope (e.g. type "slash_commands" or "interactive") and waits for its ack. */
  async deliver(type: string, payload: Record<string, unknown>, envelopeId = `env${++this.sequence}`): Promise<Record<string, unknown>> {
    await this.connected;
    const acked = new Promise<Record<string, unknown>>((resolve) => this.acks.set(envelopeId, resolve));
    this.client?.send(JSON.stringify({ envelope_id: envelopeId, type, payload, accepts_response_payload: type !== "events_api" }));
    return acked;
  }

  async close(): Promise<void> {
    for (const socket of this.server.clients) socket.terminate();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
