// What the shared adapter contract suite needs from each adapter's test setup.
// Each adapter test file builds a harness (real adapter + its fake platform) and calls
// `runAdapterContract(name, makeHarness)` from ./adapter-contract.ts.

import type { ChatPlatform, MessageRef } from "../../src/ports/chat-platform.ts";
import type { InboundPort } from "../../src/ports/inbound.ts";

/** A message as the fake platform saw it, flattened to text for assertions. */
export interface ObservedMessage {
  ref: MessageRef;
  /** All visible text of the message (blocks, embeds, components' labels) joined with newlines. */
  text: string;
  /** Action ids of the buttons on the message, in order. */
  actionIds: string[];
  /** Addresses of link buttons (link mode), in order. */
  links?: string[];
  deleted: boolean;
}

export interface AdapterHarness {
  /** The real adapter, wired to the fake platform and to `inbound`. Not started yet. */
  platform: ChatPlatform;
  /** Workspace/guild id the fake platform uses. */
  workspaceId: string;
  /** Simulates `/checkin <text>` typed by a user; resolves with the private reply text shown to them. */
  runCommand(userId: string, text: string, opts?: { admin?: boolean }): Promise<string>;
  /** Simulates a button press on a message the bot sent; resolves with any private reply text (or null). */
  pressButton(userId: string, ref: MessageRef, actionId: string): Promise<string | null>;
  /** Simulates opening and submitting the comment modal for a check-in; resolves with the reply (or null). */
  submitComment(userId: string, checkInId: string, text: string): Promise<string | null>;
  /** Messages currently in the DM with `userId`, oldest first, after edits. */
  messagesTo(userId: string): ObservedMessage[];
  /** Everything the adapter sent to the platform (API calls, interaction responses, output), as JSON text. */
  recordedOutbound(): string;
  /** Stops the adapter and the fake platform. */
  close(): Promise<void>;
}

/** Builds a harness whose adapter delivers inbound events to `inbound`. */
export type HarnessFactory = (inbound: InboundPort) => Promise<AdapterHarness>;
