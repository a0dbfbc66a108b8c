/** The PostgreSQL SQLSTATE codes pgq reacts to (Appendix A of the PostgreSQL manual). */
export const SqlState = {
  uniqueViolation: '23505',
  foreignKeyViolation: '23503',
  checkViolation: '23514',
  undefinedTable: '42P01',
  undefinedFunction: '42883',
  undefinedObject: '42704',
  invalidSchemaName: '3F000',
  duplicateObject: '42710',
  duplicateTable: '42P07',
  duplicateSchema: '42P06',
  invalidTextRepresentation: '22P02',
  invalidParameterValue: '22023',
  adminShutdown: '57P01',
  queryCanceled: '57014',
  lockNotAvailable: '55P03',
  programLimitExceeded: '54000',
  insufficientPrivilege: '42501',
  dependentObjectsStillExist: '2BP01',
  invalidSqlStatementName: '26000',
  duplicatePreparedStatement: '42P05',
  invalidAuthorizationSpecification: '28000',
  invalidPassword: '28P01',
  invalidCatalogName: '3D000',
  tooManyConnections: '53300',
  cannotConnectNow: '57P03',
} as const;

/** The SQLSTATE of a `pg` error, or undefined for anything else. */
export function sqlStateOf(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' && code.length === 5 ? code : undefined;
}
