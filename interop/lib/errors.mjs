// A job the script cannot run as given (exit code 2), as opposed to a proof that fails (1).
export class InputError extends Error {
  constructor(message) {
    super(message);
    this.name = 'InputError';
  }
}

/*
 * Flattens the nested errors of jsonld-signatures / vc results into a list of
 * {name, message}, leaves last, so callers can assert the precise reason.
 */
export function describeErrors(...roots) {
  const seen = new Set();
  const out = [];
  const visit = error => {
    if(!error || seen.has(error)) {
      return;
    }
    seen.add(error);
    if(Array.isArray(error)) {
      error.forEach(visit);
      return;
    }
    const item = {name: error.name || 'Error', message: String(error.message ?? error)};
    // jose names its failures by a stable code (ERR_JWT_EXPIRED, …).
    if(typeof error.code === 'string') {
      item.code = error.code;
    }
    // jsonld.js puts the precise reason of a safe-mode failure in details.event.
    const event = error.details?.event;
    if(event?.code) {
      item.event = {code: event.code, message: event.message, details: event.details ?? null};
      item.message += ` ${event.code}: ${event.message} ${JSON.stringify(event.details ?? {})}`;
    }
    out.push(item);
    visit(error.errors);
    visit(error.cause);
    if(error.details && typeof error.details === 'object') {
      visit(error.details.cause);
    }
  };
  roots.forEach(visit);
  return out;
}
