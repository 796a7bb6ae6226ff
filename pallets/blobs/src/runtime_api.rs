//! Typed runtime API for the data plane; polkadot.js decodes every type from metadata.

use crate::types::BlobInfo;
use codec::Codec;
use sp_core::H256;

sp_api::decl_runtime_apis! {
	/// Queries of the blobs pallet.
	pub trait BlobsApi<AccountId, Balance, BlockNumber>
	where
		AccountId: Codec,
		Balance: Codec,
		BlockNumber: Codec,
	{
		/// A stored blob's record (`None` when unknown or expired).
		fn blob(hash: H256) -> Option<BlobInfo<AccountId, BlockNumber>>;
		/// The governed values as they apply now.
		fn params() -> crate::BlobParams<Balance, BlockNumber>;
	}
}
