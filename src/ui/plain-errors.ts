/**
 * A failure as the page shows it: what happened and what to do, in plain
 * words; the code and the technical message go behind a "details" disclosure.
 *
 * @example
 * ```ts
 * const p: PlainError = { title: 'The platform cannot be reached.', todo: 'Check your connection and try again.' };
 * ```
 */
export interface PlainError {
  title: string;
  todo: string;
}

const PLAIN: Record<string, PlainError> = {
  SERVICE_UNREACHABLE: {
    title: "The platform's matching service cannot be reached.",
    todo: 'Check your internet connection and try again in a few minutes. If it keeps failing, tell your contact at the platform.',
  },
  SERVICE_BUSY: { title: 'The platform is busy with other matches.', todo: 'Try again in a few minutes.' },
  SERVICE_CLOSING: { title: 'The platform is restarting its matching service.', todo: 'Try again in a few minutes.' },
  UNAUTHORIZED: {
    title: 'The platform did not accept the access token.',
    todo: 'Paste the access token the platform gave you into "Access token", exactly as given, and try again.',
  },
  BUDGET_EXCEEDED: {
    title: 'You have used all the matches this platform allows for now.',
    todo:
      'Matches become available again as the platform’s budget window moves on: the date is next to Match when the ' +
      'platform publishes it; otherwise ask your contact at the platform when.',
  },
  QUOTA_EXCEEDED: { title: 'You have sent as many customers today as the platform allows.', todo: 'Try again tomorrow.' },
  TOKEN_BUSY: { title: 'Another match with your access token is still running.', todo: 'Wait for it to finish, then try again.' },
  TOO_FEW_ITEMS: {
    title: 'Your list is too small for this platform.',
    todo: 'Add more customers to the file (the minimum is shown above Match), or check that the right columns are chosen.',
  },
  TOO_MANY_ITEMS: { title: 'Your list is larger than this platform accepts.', todo: 'Split the file into smaller ones and match each.' },
  INPUT_UNREADABLE: {
    title: 'This file cannot be read.',
    todo: 'In Excel, choose File > Save As and pick "CSV UTF-8" or "Excel Workbook (.xlsx)", then choose the new file.',
  },
  CSV_COLUMN_MISSING: { title: 'This file has no header row.', todo: 'Put the column names (Email, Phone, ...) in the first row.' },
  CSV_RECORD_TOO_LARGE: {
    title: 'This file has a line the page cannot read (probably a quote that is never closed).',
    todo: 'Open it in Excel and save it again as "CSV UTF-8".',
  },
  OPTIONS_INVALID: { title: 'The columns chosen do not make an identifier.', todo: 'Choose at least one email or phone column.' },
  SESSION_LOST: { title: 'The platform dropped the match part-way.', todo: 'Try again; nothing was counted.' },
  SESSION_STALLED: { title: 'The platform stopped answering part-way.', todo: 'Try again in a few minutes.' },
  ABORTED: { title: 'Cancelled: nothing was matched.', todo: 'Press Match to start again.' },
  AUDIENCE_NOT_FOUND: { title: 'There is no audience by that name for your access token.', todo: 'Check the audience name.' },
};

/**
 * The plain words for an error code; an unknown code gets a general sentence.
 * The page shows the code itself only in the details.
 *
 * @example
 * ```ts
 * plainError('BUDGET_EXCEEDED').title; // 'You have used all the matches this platform allows for now.'
 * ```
 */
export function plainError(code: string): PlainError {
  return (
    PLAIN[code] ?? {
      title: 'Something went wrong while matching.',
      todo: 'Try again. If it happens again, send the details below to your contact at the platform.',
    }
  );
}

const REASONS: Record<string, string> = {
  EMPTY: 'No identifier',
  EMAIL_INVALID: 'Email not valid',
  PHONE_INVALID: 'Phone not valid',
  PHONE_COUNTRY_REQUIRED: 'Phone without country',
  ZIP_INVALID: 'Postcode not valid',
  COUNTRY_INVALID: 'Country not known',
  NAME_INVALID: 'Name not valid',
  CSV_RAGGED: 'Wrong number of fields',
  CSV_MALFORMED: 'Line not readable',
  ENCODING_INVALID: 'Text not readable',
};

/**
 * A short label for why a row was left out, for the rejection chart; the
 * code itself for one without a label.
 *
 * @example
 * ```ts
 * reasonLabel('EMAIL_INVALID'); // 'Email not valid'
 * ```
 */
export function reasonLabel(code: string): string {
  return REASONS[code] ?? code;
}
