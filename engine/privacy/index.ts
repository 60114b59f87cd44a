/** Privacy requests: export everything held about one customer, or erase them (docs/privacy.md). */
export { exportCustomer, EXPORT_FORMAT, type CustomerExport, type PrivacyRequestOptions } from './export';
export { eraseCustomer, type ErasureOutcome } from './erase';
export { listPrivacyRequests, PrivacyRequestKind, type PrivacyRequest } from './requestLog';
export { identityHash, suppressionsOf, type Suppression } from './suppression';
export { isPseudonym, parseSubjectRef, PSEUDONYM_PREFIX, type PrivacySubjectRef } from './subject';
export { ERASED_TEXT } from './scrub';
