// Turns Discord interactions into inbound events. Every handler acknowledges first (defer, or the
// comment modal, which must be the immediate response), then asks the engine, then answers.
// The interaction id is the delivery id: a replayed interaction is de-duplicated by the store.

import { DiscordAPIError, GuildMember, MessageFlags, PermissionFlagsBits, Routes } from "discord.js";
import type {
  AutocompleteInteraction,
  ButtonInteraction,
  ChatInputCommandInteraction,
  Interaction,
  InteractionEditReplyOptions,
  InteractionReplyOptions,
  ModalSubmitInteraction,
  REST,
} from "discord.js";
import { commentCheckInId, encodeAction } from "../../src/ports/action-ids.ts";
import type { InboundActor, InboundEvent, InboundPort, Reply } from "../../src/ports/inbound.ts";
import type { Logger } from "../../src/ports/logger.ts";
import { autocompleteChoices, COMMAND_NAME, commandText } from "./commands.ts";
import type { SubmittedOption } from "./commands.ts";
import type { DiscordSettings } from "./config.ts";
import { actionIdOf, COMMENT_INPUT_ID, commentModal, replacementPayload, replyButtonRows, splitContent } from "./render.ts";
import type { CommentModalSpec } from "./render.ts";
import { DiscordCode, errorFields } from "./results.ts";

/** Shown only when the engine itself failed and produced no localised reply. */
const FAILURE_MARK = "⚠️";

export interface InteractionDeps {
  inbound: InboundPort;
  logger: Logger;
  settings: DiscordSettings;
  rest: REST;
  commentModals: { get(checkInId: string): CommentModalSpec | undefined };
  /** The engine's comment limit, used when this process did not send the prompt. */
  commentMaxLength: number;
}

type Repliable = ChatInputCommandInteraction | ButtonInteraction | ModalSubmitInteraction;

/** Manage Server (Administrator implies it) or the configured admin role. */
export function isGuildAdmin(interaction: Interaction, adminRoleId: string | null): boolean {
  if (!interaction.inGuild()) return false;
  if (interaction.memberPermissions?.has(PermissionFlagsBits.ManageGuild)) return true;
  if (!adminRoleId) return false;
  const member = interaction.member;
  if (member instanceof GuildMember) return member.roles.cache.has(adminRoleId);
  return Array.isArray(member?.roles) && member.roles.includes(adminRoleId);
}

/**
 * Who acted. In a server the guild is the workspace; in the bot DM there is none (interactions
 * carry no guild and button ids carry none), so the workspace is left to the engine, which finds
 * the practice from the check-in or alert, or asks which practice a command is for.
 */
function actorOf(deps: InteractionDeps, interaction: Interaction): InboundActor {
  return {
    platform: "discord",
    workspaceId: interaction.guildId ?? null,
    userId: interaction.user.id,
    isPlatformAdmin: isGuildAdmin(interaction, deps.settings.adminRoleId),
  };
}

async function ask(deps: InteractionDeps, event: InboundEvent): Promise<Reply | null> {
  try {
    return await deps.inbound.receive(event);
  } catch (error) {
    deps.logger.error({ deliveryId: event.deliveryId, type: event.type, ...errorFields(error) }, "inbound port failed");
    return null;
  }
}

/** Shows a reply privately: the deferred reply first, then follow-ups for long text and files. */
async function answerPrivately(interaction: Repliable, reply: Reply | null): Promise<void> {
  // A button press was acknowledged with deferUpdate: its "reply" is the message it sits on.
  const deferredUpdate = interaction.isButton();
  const pieces = reply === null ? [FAILURE_MARK] : reply.text ? splitContent(reply.text) : [];
  const file = reply?.file ? [{ name: reply.file.filename, attachment: Buffer.from(reply.file.content, "utf8"), contentType: reply.file.contentType }] : [];
  // Buttons under the reply: the comment-modal opener, or the engine's own (which practice?).
  const openModal = reply?.openCommentModal
    ? [
        {
          type: 1,
          components: [
            {
              type: 2,
              style: 1,
              label: reply.openCommentModal.title.slice(0, 80),
              custom_id: encodeAction({ op: "comment", checkInId: reply.openCommentModal.checkInId }),
            },
          ],
        },
      ]
    : reply?.buttons?.length
      ? replyButtonRows(reply.buttons)
      : [];
  if (!deferredUpdate) {
    const [first, ...rest] = pieces;
    if (first === undefined && file.length === 0 && openModal.length === 0) {
      await interaction.deleteReply();
      return;
    }
    const options: InteractionEditReplyOptions = { content: first ?? "", allowedMentions: { parse: [] } };
    if (rest.length === 0 && file.length > 0) options.files = file;
    if (rest.length === 0 && openModal.length > 0) options.components = openModal as never;
    await interaction.editReply(options);
    await privateFollowUps(interaction, rest, file, openModal);
    return;
  }
  await privateFollowUps(interaction, pieces, file, openModal);
  if (pieces.length === 0 && (file.length > 0 || openModal.length > 0)) {
    await interaction.followUp({ flags: MessageFlags.Ephemeral, files: file, components: openModal as never });
  }
}

/** Sends text pieces as private follow-ups; the file and the modal button ride on the last one. */
async function privateFollowUps(
  interaction: { followUp(options: InteractionReplyOptions): Promise<unknown> },
  pieces: string[],
  file: NonNullable<InteractionReplyOptions["files"]>,
  openModal: unknown[],
): Promise<void> {
  for (const [index, piece] of pieces.entries()) {
    const last = index === pieces.length - 1;
    await interaction.followUp({
      content: piece,
      flags: MessageFlags.Ephemeral,
      allowedMentions: { parse: [] },
      ...(last && file.length > 0 ? { files: file } : {}),
      ...(last && openModal.length > 0 ? { components: openModal as never } : {}),
    });
  }
}

export async function handleSlashCommand(deps: InteractionDeps, interaction: ChatInputCommandInteraction): Promise<void> {
  if (interaction.commandName !== COMMAND_NAME) return;
  await interaction.deferReply({ flags: MessageFlags.Ephemeral });
  const actor = actorOf(deps, interaction);
  const subcommand = interaction.options.data[0];
  const submitted: SubmittedOption[] = (subcommand?.options ?? []).map((option) => ({ name: option.name, value: option.value ?? undefined }));
  const text = subcommand ? commandText(subcommand.name, submitted) : "help";
  const reply = await ask(deps, { type: "command", text, actor, deliveryId: interaction.id });
  await answerPrivately(interaction, reply);
}

/** The modal when another process sent the prompt: the button's own (localised) label, the engine's limit. */
function fallbackModal(deps: InteractionDeps, interaction: ButtonInteraction): CommentModalSpec {
  const label = "label" in interaction.component && interaction.component.label ? interaction.component.label : "💬";
  return { title: label, label, maxLength: deps.commentMaxLength };
}

export async function handleButton(deps: InteractionDeps, interaction: ButtonInteraction): Promise<void> {
  const actionId = actionIdOf(interaction.customId);
  const checkInId = commentCheckInId(actionId);
  if (checkInId) {
    // Discord only shows a modal as the first response, so it opens before the engine is asked;
    // the engine authorises the check-in when the comment is submitted.
    const spec = deps.commentModals.get(checkInId) ?? fallbackModal(deps, interaction);
    await interaction.showModal(commentModal(interaction.customId, spec));
    return;
  }
  await interaction.deferUpdate();
  const reply = await ask(deps, {
    type: "action",
    actionId,
    actor: actorOf(deps, interaction),
    deliveryId: interaction.id,
    messageRef: { channelId: interaction.message.channelId, messageId: interaction.message.id },
  });
  if (reply?.replaceMessageText) await interaction.editReply(replacementPayload(reply.replaceMessageText));
  await answerPrivately(interaction, reply);
}

export async function handleModalSubmit(deps: InteractionDeps, interaction: ModalSubmitInteraction): Promise<void> {
  const checkInId = commentCheckInId(actionIdOf(interaction.customId));
  await interaction.deferReply({ flags: MessageFlags.Ephemeral });
  const actor = actorOf(deps, interaction);
  let text = "";
  try {
    text = interaction.fields.getTextInputValue(COMMENT_INPUT_ID);
  } catch {
    text = "";
  }
  // A modal whose custom id names no check-in still goes to the engine, which refuses it with a
  // specific reply rather than the adapter's generic failure mark.
  const reply = await ask(deps, { type: "comment", checkInId: checkInId ?? "", text, actor, deliveryId: interaction.id });
  if (reply?.replaceMessageText && interaction.message) {
    await deps.rest.patch(Routes.channelMessage(interaction.message.channelId, interaction.message.id), {
      body: replacementPayload(reply.replaceMessageText),
    });
  }
  await answerPrivately(interaction, reply);
}

export async function handleAutocomplete(interaction: AutocompleteInteraction): Promise<void> {
  const focused = interaction.options.getFocused(true);
  await interaction.respond(autocompleteChoices(focused.name, String(focused.value)));
}

/** Routes one interaction; failures are logged with ids only and never escape. */
export async function handleInteraction(deps: InteractionDeps, interaction: Interaction): Promise<void> {
  try {
    if (interaction.isChatInputCommand()) await handleSlashCommand(deps, interaction);
    else if (interaction.isAutocomplete()) await handleAutocomplete(interaction);
    else if (interaction.isButton()) await handleButton(deps, interaction);
    else if (interaction.isModalSubmit()) await handleModalSubmit(deps, interaction);
  } catch (error) {
    const fields = { interactionId: interaction.id, interactionType: interaction.type, ...errorFields(error) };
    // A redelivery Discord already saw acknowledged (40060) is expected after a resume: nothing was lost.
    if (error instanceof DiscordAPIError && error.code === DiscordCode.AlreadyAcknowledged) deps.logger.debug(fields, "discord interaction already acknowledged");
    else deps.logger.error(fields, "discord interaction failed");
  }
}
