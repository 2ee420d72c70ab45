/** The part of the notifications API that needs no web framework, re-exported by "task-agents". */
export { verifyEncordNotification } from "./verify-notification.js";
export type { NotificationHeaders, VerifyNotificationOptions } from "./verify-notification.js";
export { parseEncordNotification } from "./parse-notification.js";
export type { EncordStageNotification } from "./parse-notification.js";
export { NotificationRefusedError, isNotificationRefusedError } from "./notification-errors.js";
export type { NotificationRefusal } from "./notification-errors.js";
export { signEncordNotification } from "./sign-notification.js";
