/** Media type of every frame body, both ways. */
export const FRAMES_MEDIA_TYPE = 'application/octet-stream';
/** Response header: the session id, hex. */
export const SESSION_HEADER = 'blindjoin-session';
/** Response header: how many of the service's frames wait beyond this response. */
export const PENDING_HEADER = 'blindjoin-pending';
