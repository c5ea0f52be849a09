import { runAdapterContract } from "../../contract/adapter-contract.ts";
import { makeTerminalHarness } from "./harness.ts";

runAdapterContract("terminal", makeTerminalHarness);
