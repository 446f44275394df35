//! Natives serving `CancellationToken.java`.

use jni::objects::JClass;
use jni::sys::{jboolean, jlong};
use jni::{Env, NativeMethod};
use tessera_core::job::CancelToken;

use crate::error::{BridgeResult, ThrowTessera};
use crate::handles;

pub(crate) const METHODS: &[NativeMethod] = &[
    crate::bridge_method! { static fn cancel_token_new() -> jlong },
    crate::bridge_method! { static fn cancel_token_cancel(token: jlong) },
    crate::bridge_method! { static fn cancel_token_is_cancelled(token: jlong) -> jboolean },
    crate::bridge_method! { static fn cancel_token_free(token: jlong) },
];

fn cancel_token_new<'local>(_env: &mut Env<'local>, _class: JClass<'local>) -> BridgeResult<jlong> {
    Ok(handles::into_handle(CancelToken::new()))
}

fn cancel_token_cancel<'local>(_env: &mut Env<'local>, _class: JClass<'local>, token: jlong) -> BridgeResult<()> {
    handles::get::<CancelToken>(token)?.cancel();
    Ok(())
}

fn cancel_token_is_cancelled<'local>(
    _env: &mut Env<'local>,
    _class: JClass<'local>,
    token: jlong,
) -> BridgeResult<jboolean> {
    Ok(handles::get::<CancelToken>(token)?.is_cancelled())
}

fn cancel_token_free<'local>(_env: &mut Env<'local>, _class: JClass<'local>, token: jlong) -> BridgeResult<()> {
    handles::free::<CancelToken>(token)
}
