import { runAdapterContract } from "../../contract/adapter-contract.ts";
import { makeSlackHarness } from "./harness.ts";

runAdapterContract("slack", makeSlackHarness);
