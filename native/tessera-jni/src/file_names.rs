//! Natives serving `FileNames.java`: names from user data made safe as file names, by the
//! core's one rule (so the QuPath extension and the `tessera` command name files alike).

use jni::objects::{JClass, JString};
use jni::{Env, NativeMethod};
use tessera_core::names;

use crate::error::{BridgeResult, ThrowTessera};

pub(crate) const METHODS: &[NativeMethod] =
    &[crate::bridge_method! { static fn safe_file_name(name: JString) -> JString }];

fn safe_file_name<'local>(
    env: &mut Env<'local>,
    _class: JClass<'local>,
    name: JString<'local>,
) -> BridgeResult<JString<'local>> {
    let name = name.try_to_string(env)?;
    Ok(env.new_string(names::safe_file_name(&name))?)
}
