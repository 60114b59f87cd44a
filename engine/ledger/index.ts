export { Ledger, type EarnOutcome, type EarnRequest } from './ledger';
export * from './program';
export * from './types';
export { pointsForAmount, pointsToReverse, roundRatio } from './points';
export { verifyBalances, type BalanceMismatch } from './accountRows';
