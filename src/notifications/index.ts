/**
 * task-agents/notifications: receive Encord's task-ready notifications. The verifier and parser
 * are also exported from "task-agents"; this entry adds the Hono receiver app, so importing
 * "task-agents" alone never loads Hono.
 */
export { createNotificationApp, defaultMaxBodyBytes } from "./notification-app.js";
export type { NotificationAppOptions, NotificationEvent, NotificationOutcome, NotificationPassEvent } from "./notification-app.js";
export { verifyEncordNotification, checkNotificationHeaders, defaultToleranceSeconds } from "./verify-notification.js";
export type { NotificationHeaders, VerifyNotificationOptions } from "./verify-notification.js";
export { parseEncordNotification } from "./parse-notification.js";
export type { EncordStageNotification } from "./parse-notification.js";
export { NotificationRefusedError, isNotificationRefusedError, webhookSecretVariable } from "./notification-errors.js";
export type { NotificationRefusal } from "./notification-errors.js";
export { signEncordNotification } from "./sign-notification.js";
export { agentStageEventType, envelopeVersion, signatureHeader, timestampHeader } from "./notification-headers.js";
