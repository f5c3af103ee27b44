/**
 * The training session's small text helpers: request ids for replies, the not-configured error,
 * an error's readable text, recognising a lost WebGL context, and losses as messages print them.
 */

/** `{ requestId }` of a message that has one, else `{}` (spread into its reply). */
export function idOf(message: { readonly requestId?: number }): { requestId?: number } {
  return typeof message.requestId === 'number' ? { requestId: message.requestId } : {};
}

/** The error for a request that needs the model before 'configure' has built it. */
export function notConfigured(): Error {
  return new Error('the trainer is not configured yet; send the settings first');
}

/** The readable text of anything thrown: its `reason`, else its `message`, else String(error). */
export function errorText(error: unknown): string {
  if (error && typeof error === 'object') {
    const reason = (error as { reason?: unknown }).reason;
    if (typeof reason === 'string' && reason) return reason;
    const message = (error as { message?: unknown }).message;
    if (typeof message === 'string' && message) return message;
  }
  return String(error);
}

/** True for the WebGL backend's WebGLContextLostError (matched by name: lib/train does not import lib/webgl). */
export function isContextLoss(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { name?: unknown }).name === 'WebGLContextLostError';
}

/** A loss for a message: 3 significant digits, scientific notation when large (`8.12e+17`). */
export function formatLossValue(loss: number): string {
  if (!Number.isFinite(loss)) return describeLoss(loss);
  return Math.abs(loss) >= 1e4 ? loss.toExponential(2) : String(Number(loss.toPrecision(3)));
}

/** A non-finite loss in words: NaN, infinite or −infinite. */
export function describeLoss(loss: number): string {
  return Number.isNaN(loss) ? 'NaN' : loss > 0 ? 'infinite' : '−infinite';
}
