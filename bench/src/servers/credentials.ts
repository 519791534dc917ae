/** The credentials every benchmark target and client uses (loopback only). */
export const BENCH_CREDENTIALS = { accessKeyId: 'bench', secretAccessKey: 'bench-secret-key' };
export const BENCH_REGION = 'us-east-1';
