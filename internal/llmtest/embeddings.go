package llmtest

import (
	"encoding/json"
	"hash/fnv"
	"net/http"
)

// embeddings answers with a small deterministic vector per input.
func (u *Upstream) embeddings(w http.ResponseWriter, body []byte) {
	var req struct {
		Model string          `json:"model"`
		Input json.RawMessage `json:"input"`
	}
	if err := json.Unmarshal(body, &req); err != nil {
		writeError(w, http.StatusBadRequest, "malformed JSON")
		return
	}
	var inputs []string
	var one string
	if json.Unmarshal(req.Input, &one) == nil {
		inputs = []string{one}
	} else if json.Unmarshal(req.Input, &inputs) != nil {
		writeError(w, http.StatusBadRequest, "input must be a string or an array of strings")
		return
	}
	type embedding struct {
		Object    string    `json:"object"`
		Index     int       `json:"index"`
		Embedding []float64 `json:"embedding"`
	}
	resp := struct {
		Object string      `json:"object"`
		Data   []embedding `json:"data"`
		Model  string      `json:"model"`
		Usage  struct {
			PromptTokens int `json:"prompt_tokens"`
			TotalTokens  int `json:"total_tokens"`
		} `json:"usage"`
	}{Object: "list", Model: req.Model}
	for i, s := range inputs {
		resp.Data = append(resp.Data, embedding{Object: "embedding", Index: i, Embedding: vector(s)})
		resp.Usage.PromptTokens += len(s) / 4
	}
	resp.Usage.TotalTokens = resp.Usage.PromptTokens
	writeJSON(w, resp)
}

func vector(s string) []float64 {
	v := make([]float64, 8)
	for i := range v {
		h := fnv.New32a()
		h.Write([]byte{byte(i)})
		h.Write([]byte(s))
		v[i] = float64(h.Sum32()%2000)/1000 - 1
	}
	return v
}
