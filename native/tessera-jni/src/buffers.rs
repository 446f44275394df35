//! Direct `ByteBuffer`s lent by Java for the length of one native call.

use jni::objects::JByteBuffer;
use jni::Env;

use crate::error::BridgeResult;

/// The whole content of a direct buffer, without copying.
///
/// The slice borrows the buffer: Java keeps it alive and unmodified while the calling thread
/// waits in the native method, which is as long as the slice may live.
pub(crate) fn direct_bytes<'a>(env: &Env, buffer: &'a JByteBuffer) -> BridgeResult<&'a [u8]> {
    let capacity = env.get_direct_buffer_capacity(buffer)?;
    let address = env.get_direct_buffer_address(buffer)?;
    // SAFETY: a direct buffer's address is valid for `capacity` bytes while the buffer lives,
    // and the Java caller holds it for the duration of the native call.
    Ok(unsafe { std::slice::from_raw_parts(address as *const u8, capacity) })
}

/// The whole content of a direct buffer, to write into, without copying.
///
/// The same lifetime rule as [`direct_bytes`]; Java must not read or write the buffer while the
/// native call runs (it waits in it).
pub(crate) fn direct_bytes_mut<'a>(env: &Env, buffer: &'a mut JByteBuffer) -> BridgeResult<&'a mut [u8]> {
    let capacity = env.get_direct_buffer_capacity(buffer)?;
    let address = env.get_direct_buffer_address(buffer)?;
    // SAFETY: as in `direct_bytes`; the buffer is only written through this slice meanwhile.
    Ok(unsafe { std::slice::from_raw_parts_mut(address, capacity) })
}
