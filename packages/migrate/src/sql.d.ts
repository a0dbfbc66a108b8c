// Migrations are embedded as text at build time (tsup's text loader), so nothing reads
// the file system at run time.
declare module '*.sql' {
  const text: string;
  export default text;
}
