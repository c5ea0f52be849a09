// A real ChatPlatform for the terminal, in the spirit of Hubot's shell adapter: one person at a
// keyboard can act as admin, therapist or client, run /checkin commands, receive prompts and
// alerts, and press buttons. Used by `npm start` without chat credentials and by `npm run demo`.

import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { createInterface } from "node:readline";
import type { Readable, Writable } from "node:stream";
import type { ChatPlatform, FileView, MessageRef, OutboundView, PlatformRole, Recipient, SendResult } from "../../src/ports/chat-platform.ts";
import type { Actor, HomePort, InboundPort, Reply } from "../../src/ports/inbound.ts";
import { commentCheckInId } from "../../src/ports/action-ids.ts";
import { renderHome, renderView } from "./render.ts";
import type { RenderedButton } from "./render.ts";

export const TERMINAL_WORKSPACE = "local";

export type TerminalRole = "admin" | "therapist" | "client";

interface TerminalMessage {
  ref: MessageRef;
  to: string;
  view: OutboundView;
  text: string;
  buttons: RenderedButton[];
  deleted: boolean;
  /** Set when the message was sent as a check-in prompt, even after it is edited. */
  checkInId?: string;
}

export interface TerminalAdapterOptions {
  inbound: InboundPort & Partial<HomePort>;
  output?: Writable;
  input?: Readable;
  /** Called after each handled line, e.g. to run a tick so `/checkin now` shows up at once. */
  afterLine?: () => Promise<void>;
  /** Called once the input ends (Ctrl-D, end of a pipe) or the person types /quit, after pending lines ran. */
  onInputEnd?: () => void;
  /** Folder files sent to a person (data exports) are written to, one subfolder per person. Default: ./data/exports. */
  fileDir?: string;
}

export const TERMINAL_HELP = [
  "Terminal mode. You act as one person at a time:",
  "  /as admin <handle>       act as a practice admin (e.g. /as admin dana)",
  "  /as therapist <handle>   act as a therapist (e.g. /as therapist bob)",
  "  /as client <handle>      act as a client (e.g. /as client alice)",
  "  /checkin <subcommand>    run a command, e.g. /checkin help",
  "  /press <code>            press a button shown as [b1], [b2] …",
  "  /comment <text>          add a comment to your latest check-in",
  "  /inbox                   show the messages you (the current person) received",
  "  /home                    show your overview",
  "  /quit                    leave",
].join("\n");

export class TerminalAdapter implements ChatPlatform {
  readonly name = "terminal" as const;
  private readonly messages: TerminalMessage[] = [];
  private readonly files: { to: string; path: string; filename: string }[] = [];
  private counter = 0;
  private buttonCounter = 0;
  private current: { role: TerminalRole; userId: string } | null = null;
  private readonly output: Writable;
  private rl: ReturnType<typeof createInterface> | null = null;
  /** Lines are handled one after another, in the order typed. */
  private queue: Promise<void> = Promise.resolve();

  constructor(private readonly options: TerminalAdapterOptions) {
    this.output = options.output ?? process.stdout;
  }

  private print(text: string): void {
    this.output.write(`${text}\n`);
  }

  private nextCode = (): string => `b${++this.buttonCounter}`;

  async start(): Promise<void> {
    if (!this.options.input) return;
    this.rl = createInterface({ input: this.options.input, terminal: false });
    this.rl.on("line", (line) => {
      this.queue = this.queue
        .then(() => this.handleLine(line))
        .then(() => this.options.afterLine?.())
        .catch(() => this.print("That didn't work; nothing was changed. Type /help."));
    });
    this.rl.on("close", () => {
      if (this.stopped) return;
      void this.queue.then(() => this.options.onInputEnd?.());
    });
  }

  private stopped = false;

  async stop(): Promise<void> {
    this.stopped = true;
    this.rl?.close();
    this.rl = null;
  }

  async sendDirect(to: Recipient, view: OutboundView): Promise<SendResult> {
    if (to.workspaceId !== TERMINAL_WORKSPACE) return { ok: false, code: "unknown_workspace", failure: "recipient_unreachable" };
    const rendered = renderView(view, this.nextCode);
    const ref = { channelId: `dm-${to.userId}`, messageId: `t${++this.counter}` };
    this.messages.push({ ref, to: to.userId, view, text: rendered.text, buttons: rendered.buttons, deleted: false, ...(view.kind === "prompt" || (view.kind === "link" && view.checkInId) ? { checkInId: view.checkInId as string } : {}) });
    this.print(`\n→ DM to @${to.userId}:\n${indent(rendered.text)}`);
    return { ok: true, ref };
  }

  async update(to: Recipient, ref: MessageRef, view: OutboundView): Promise<SendResult> {
    const message = this.messages.find((m) => m.ref.messageId === ref.messageId && m.to === to.userId);
    if (!message || message.deleted) return { ok: false, code: "message_not_found", failure: "payload_rejected" };
    const rendered = renderView(view, this.nextCode);
    Object.assign(message, { view, text: rendered.text, buttons: rendered.buttons });
    this.print(`\n↺ DM to @${to.userId} (edited):\n${indent(rendered.text)}`);
    return { ok: true, ref };
  }

  async delete(to: Recipient, ref: MessageRef): Promise<SendResult> {
    const message = this.messages.find((m) => m.ref.messageId === ref.messageId && m.to === to.userId);
    if (!message) return { ok: false, code: "message_not_found", failure: "payload_rejected" };
    message.deleted = true;
    this.print(`\n✕ DM to @${to.userId} deleted`);
    return { ok: true, ref };
  }

  /** Writes the file to `<fileDir>/<user>/<filename>` (owner-only permissions) and prints its path. */
  async sendFile(to: Recipient, file: FileView): Promise<SendResult> {
    if (to.workspaceId !== TERMINAL_WORKSPACE) return { ok: false, code: "unknown_workspace", failure: "recipient_unreachable" };
    const safe = (name: string) => name.replace(/[^A-Za-z0-9._-]/g, "_").replace(/^\.+/, "_").slice(0, 120) || "file";
    const dir = path.resolve(this.options.fileDir ?? path.join("data", "exports"), safe(to.userId));
    const target = path.join(dir, safe(path.basename(file.filename)));
    try {
      mkdirSync(dir, { recursive: true, mode: 0o700 });
      writeFileSync(target, file.content, { mode: 0o600 });
    } catch (error) {
      return { ok: false, code: (error as { code?: string }).code ?? "write_failed", failure: "bot_misconfigured" };
    }
    const ref = { channelId: `dm-${to.userId}`, messageId: `t${++this.counter}` };
    this.files.push({ to: to.userId, path: target, filename: file.filename });
    this.print(`\n📎 File for @${to.userId}: ${target}${file.comment ? `\n  ${file.comment}` : ""}`);
    return { ok: true, ref };
  }

  /** Files written for a person, oldest first. */
  filesTo(userId: string): { path: string; filename: string }[] {
    return this.files.filter((f) => f.to === userId).map(({ path: p, filename }) => ({ path: p, filename }));
  }

  async checkReachable(to: Recipient): Promise<{ ok: true } | { ok: false; code: string }> {
    return to.workspaceId === TERMINAL_WORKSPACE ? { ok: true } : { ok: false, code: "unknown_workspace" };
  }

  /** Anyone named in the terminal is a member; an admin is whoever last acted as one. */
  async currentRole(who: Recipient): Promise<PlatformRole> {
    if (who.workspaceId !== TERMINAL_WORKSPACE) return "absent";
    return this.admins.has(who.userId) ? "admin" : "member";
  }

  async listAdmins(workspaceId: string): Promise<string[]> {
    return workspaceId === TERMINAL_WORKSPACE ? [...this.admins] : [];
  }

  /** Messages currently in a person's DM (after edits), oldest first. */
  messagesTo(userId: string): { ref: MessageRef; text: string; actionIds: string[]; deleted: boolean }[] {
    return this.messages.filter((m) => m.to === userId).map((m) => ({ ref: m.ref, text: m.text, actionIds: m.buttons.map((b) => b.actionId), deleted: m.deleted }));
  }

  /** Handles last seen acting as admin: the terminal's answer to "who administers this workspace". */
  private readonly admins = new Set<string>();

  actorFor(userId: string, admin: boolean): Actor {
    if (admin) this.admins.add(userId);
    else this.admins.delete(userId);
    return { platform: "terminal", workspaceId: TERMINAL_WORKSPACE, userId, isPlatformAdmin: admin };
  }

  /** Runs a command as someone; returns the private reply text. */
  async runCommand(userId: string, text: string, admin = false): Promise<Reply> {
    return this.options.inbound.receive({ type: "command", actor: this.actorFor(userId, admin), text });
  }

  /**
   * Presses a button shown on a message. The terminal shows everyone's messages on one screen, so
   * a person may press a button on someone else's message: the engine decides (and refuses it).
   * Null only for a button that is not on that message.
   */
  async press(userId: string, ref: MessageRef, actionId: string, admin = false): Promise<Reply | null> {
    const message = this.messages.find((m) => m.ref.messageId === ref.messageId && !m.deleted);
    if (!message || !message.buttons.some((b) => b.actionId === actionId)) return null;
    const reply = await this.options.inbound.receive({ type: "action", actor: this.actorFor(userId, admin), actionId, messageRef: ref });
    if (reply.replaceMessageText && !reply.openCommentModal && !reply.refused && message.to === userId) {
      await this.update({ workspaceId: TERMINAL_WORKSPACE, userId }, ref, { kind: "closed", text: reply.replaceMessageText });
    }
    return reply;
  }

  async comment(userId: string, checkInId: string, text: string, admin = false): Promise<Reply> {
    return this.options.inbound.receive({ type: "comment", actor: this.actorFor(userId, admin), checkInId, text });
  }

  /** Handles one typed line. Public so tests and the demo can drive the terminal directly. */
  async handleLine(raw: string): Promise<void> {
    const line = raw.trim();
    if (line === "") return;
    const [word = "", ...rest] = line.split(/\s+/);
    const arg = rest.join(" ");
    const who = this.current;
    switch (word.toLowerCase()) {
      case "/help":
        this.print(TERMINAL_HELP);
        return;
      case "/quit":
      case "/exit":
        this.print("Bye.");
        if (this.rl) this.rl.close();
        else this.options.onInputEnd?.();
        return;
      case "/as": {
        const [role, handle] = rest;
        if ((role !== "admin" && role !== "therapist" && role !== "client") || !handle || !/^[a-z0-9][a-z0-9._-]{0,63}$/i.test(handle)) {
          this.print("Usage: /as admin|therapist|client <handle>   e.g. /as client alice");
          return;
        }
        this.current = { role, userId: handle.replace(/^@/, "") };
        this.print(`You are now @${this.current.userId} (${role}).`);
        return;
      }
    }
    if (!who) {
      this.print("First choose who you are, e.g. /as admin dana   (type /help for all terminal commands)");
      return;
    }
    const admin = who.role === "admin";
    switch (word.toLowerCase()) {
      case "/checkin": {
        const reply = await this.runCommand(who.userId, arg, admin);
        this.showPrivateReply(who.userId, reply);
        return;
      }
      case "/press": {
        const target = this.findButton(who.userId, arg);
        if (!target) {
          this.print(`No button "${arg}". Use the code shown in brackets, e.g. /press b3.`);
          return;
        }
        const comment = commentCheckInId(target.button.actionId);
        const reply = await this.press(who.userId, target.message.ref, target.button.actionId, admin);
        if (comment && reply?.openCommentModal) {
          this.print(`(only you) ${reply.openCommentModal.label} — type: /comment <your text>`);
        } else if (reply) {
          this.showPrivateReply(who.userId, reply);
        }
        return;
      }
      case "/comment": {
        const prompt = [...this.messages].reverse().find((m) => m.to === who.userId && m.checkInId);
        if (!prompt?.checkInId) {
          this.print("You have no check-in to comment on.");
          return;
        }
        const reply = await this.comment(who.userId, prompt.checkInId, arg, admin);
        this.showPrivateReply(who.userId, reply);
        return;
      }
      case "/inbox": {
        const mine = this.messages.filter((m) => m.to === who.userId && !m.deleted);
        this.print(mine.length === 0 ? "No messages." : mine.map((m) => indent(m.text)).join("\n---\n"));
        return;
      }
      case "/home": {
        if (!this.options.inbound.homeFor) return;
        const view = await this.options.inbound.homeFor(this.actorFor(who.userId, admin));
        if (!view) return;
        const home = renderHome(view, this.nextCode);
        this.messages.push({ ref: { channelId: "home", messageId: `h${++this.counter}` }, to: who.userId, view: { kind: "notice", text: home.text }, text: home.text, buttons: home.buttons, deleted: false });
        this.print(home.text);
        return;
      }
      default:
        this.print(`Unknown input "${word}". Type /help.`);
    }
  }

  /**
   * Prints a private reply. Buttons under it ("Edit my answers" in tidy mode, "which practice?")
   * get codes like any message's, so /press works on them.
   */
  private showPrivateReply(userId: string, reply: Reply): void {
    if (!reply.buttons?.length) {
      this.print(`(only you) ${reply.text}`);
      return;
    }
    const view: OutboundView = { kind: "notice", text: reply.text, buttons: reply.buttons };
    const rendered = renderView(view, this.nextCode);
    this.messages.push({ ref: { channelId: "reply", messageId: `r${++this.counter}` }, to: userId, view, text: rendered.text, buttons: rendered.buttons, deleted: false });
    this.print(`(only you) ${rendered.text}`);
  }

  /** The button with this code: on the person's own messages first, then on anyone's (the engine checks ownership). */
  private findButton(userId: string, code: string): { message: TerminalMessage; button: RenderedButton } | null {
    const own = this.messages.filter((m) => m.to === userId);
    for (const message of [...own, ...this.messages.filter((m) => m.to !== userId)]) {
      if (message.deleted) continue;
      const button = message.buttons.find((b) => b.code === code.trim());
      if (button) return { message, button };
    }
    return null;
  }
}

function indent(text: string): string {
  return text.split("\n").map((l) => `  ${l}`).join("\n");
}

export function createTerminalAdapter(options: TerminalAdapterOptions): TerminalAdapter {
  return new TerminalAdapter(options);
}
