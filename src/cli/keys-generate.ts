/** npm run keys:generate — prints a new private Ed25519 JWK for OB_SIGNING_KEY. Keep it secret. */
import { generateSigningJwk } from '../server/certificates/signing.ts';

console.log(JSON.stringify(await generateSigningJwk()));
console.error('Đặt dòng trên vào biến môi trường OB_SIGNING_KEY (giữ bí mật, không đưa vào kho mã).');
